import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Env, redisTargetOf } from '@infer/config';
import { redisKeys } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import {
  checkEvictionPolicy,
  closeRedis,
  createRedis,
  describeRedisTarget,
  type RedisClient,
  waitReady,
} from '@infer/redis';
import type { ShutdownStep } from '@infer/runtime';
import { Allowlist, warnPortless } from '@infer/ssrf-guard';
import { createApp } from './app.ts';
import { JobEvents } from './jobs/job-events.ts';
import { ModelCatalog } from './models/model-catalog.ts';
import { Authenticator } from './platform/auth.ts';
import { type ApiServices, createApiServices } from './services.ts';

/** Connections for durable writes (REDIS_WAIT_REPLICAS > 0): concurrent submissions WAIT on as many at once. */
const DURABLE_CONNECTIONS = 4;

/** A setting that cannot work (main.ts: one line on stderr, exit 78 as for any other bad setting). */
export class ApiConfigurationError extends Error {}

/** Redis did not answer at start-up (main.ts: a fatal line, exit 1; an orchestrator restarts the pod). */
export class RedisUnreachableError extends Error {}

export interface ApiDeps {
  logger: Logger;
}

export interface RunningApi {
  /** `http://<host>:<port>` as it listens. */
  url: string;
  port: number;
  services: ApiServices;
  /** The producer connection (the services' Redis). */
  redis: RedisClient;
  /** Stop accepting requests (ending event streams and waits at once), the sweepers and queues, Redis: main.ts runs them under its grace period. */
  shutdownSteps: ShutdownStep[];
  /** The shutdown steps in order, for in-process use (tests). */
  close: () => Promise<void>;
}

/**
 * The API, built and started in one place for main.ts and the in-process test harness
 * alike: the model catalog, the authenticator, the producer connection and the
 * job-events subscription, the services and the Express app, listening on HOST:PORT.
 */
export async function startApi(env: Env, deps: ApiDeps): Promise<RunningApi> {
  const { logger } = deps;
  warnPortless(new Allowlist(env.SSRF_ALLOWLIST), logger);

  const catalog = ModelCatalog.fromRepository(env.MODEL_REPOSITORY);
  if (!catalog.has(env.DEFAULT_MODEL)) {
    // Otherwise every submission without `model` would be refused as the client's unknown_model.
    throw new ApiConfigurationError(
      `DEFAULT_MODEL=${JSON.stringify(env.DEFAULT_MODEL)}: not a model of MODEL_REPOSITORY (${catalog.names().join(', ') || 'none'})`,
    );
  }
  const auth = authenticatorOf(env);

  // Producer connection: no offline queue, so requests fail fast (503) while Redis is down
  // or a Sentinel failover is under way. With REDIS_SENTINELS set, every connection follows the
  // primary; with REDIS_CLUSTER_NODES, every connection is a Cluster client.
  const target = redisTargetOf(env);
  const redis = createRedis(target, 'producer');
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  try {
    await waitReady(redis);
  } catch (error) {
    await closeRedis(redis);
    throw new RedisUnreachableError(`cannot reach Redis (${describeRedisTarget(target)})`, { cause: error });
  }
  await checkEvictionPolicy(redis, logger);
  // Durable writes get connections of their own: a WAIT blocks whatever is queued behind it on
  // its connection, so concurrent submissions take these in turn and wait side by side.
  const durableConnections =
    env.REDIS_WAIT_REPLICAS > 0
      ? Array.from({ length: DURABLE_CONNECTIONS }, () => createRedis(target, 'producer'))
      : [];
  for (const connection of durableConnections) {
    connection.on('error', (error) => logger.warn({ err: error }, 'redis durable-writes connection error'));
  }
  if (durableConnections.length > 0) {
    try {
      await Promise.all(durableConnections.map((connection) => waitReady(connection)));
    } catch (error) {
      await Promise.all([redis, ...durableConnections].map(closeRedis));
      throw new RedisUnreachableError(`cannot reach Redis (${describeRedisTarget(target)})`, { cause: error });
    }
    logger.info(
      { replicas: env.REDIS_WAIT_REPLICAS, timeoutMs: env.REDIS_WAIT_TIMEOUT_MS },
      'submissions are answered once replicas confirm them (REDIS_WAIT_REPLICAS)',
    );
  }
  const durable =
    durableConnections.length > 0
      ? { connections: durableConnections, replicas: env.REDIS_WAIT_REPLICAS, timeoutMs: env.REDIS_WAIT_TIMEOUT_MS }
      : undefined;
  logger.info(
    { auth: auth ? 'on' : 'off', rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE || 'off' },
    auth
      ? 'bearer auth required on /v1'
      : 'auth off: every client sees every job (set API_KEYS or JWT_* to turn it on)',
  );

  // One pub/sub connection for every Prefer: wait and event stream of this process.
  const events = new JobEvents(
    () => createRedis(target, 'subscriber'),
    redisKeys(env.QUEUE_PREFIX).shards.map((shard) => shard.jobEvents),
    logger,
  );
  await events.start();

  const services = createApiServices(env, { redis, logger, catalog, events, auth, durable });
  const server = createApp(services).listen(env.PORT, env.HOST);
  try {
    await listening(server);
  } catch (error) {
    await Promise.all([services.close(), events.close()]);
    await Promise.all([redis, ...durableConnections].map(closeRedis));
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: env.HOST, models: catalog.names() }, 'api listening');

  const shutdownSteps: ShutdownStep[] = [
    {
      name: 'stop accepting requests',
      run: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // End event streams and Prefer: wait at once (clients reconnect elsewhere); server.close waits for them.
          void events.close();
        }),
    },
    { name: 'stop the sweepers, close the queues', run: () => services.close() },
    {
      name: 'close redis',
      run: async () => {
        await Promise.all([redis, ...durableConnections].map(closeRedis));
      },
    },
  ];
  return {
    url: `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`,
    port,
    services,
    redis,
    shutdownSteps,
    close: async () => {
      for (const step of shutdownSteps) await step.run();
    },
  };
}

/** Bearer auth from API_KEYS / JWT_*; undefined: auth off (local use). */
function authenticatorOf(env: Env): Authenticator | undefined {
  try {
    return Authenticator.fromSettings({
      apiKeys: env.API_KEYS,
      adminPrincipals: env.ADMIN_PRINCIPALS,
      jwtSecret: env.JWT_SECRET,
      jwtJwksUrl: env.JWT_JWKS_URL,
      jwtIssuer: env.JWT_ISSUER,
      jwtAudience: env.JWT_AUDIENCE,
    });
  } catch (error) {
    throw new ApiConfigurationError((error as Error).message);
  }
}

function listening(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
}
