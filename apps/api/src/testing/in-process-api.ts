import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Env, loadEnv } from '@infer/config';
import { redisKeys } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { checkEvictionPolicy, closeRedis, createRedis, waitReady } from '@infer/redis';
import { Allowlist, warnPortless } from '@infer/ssrf-guard';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { ROOT } from '../../../../test/support/processes.ts';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../../../../test/support/redis.ts';
import { createApp } from '../app.ts';
import { Authenticator } from '../platform/auth.ts';
import { JobEvents } from '../jobs/job-events.ts';
import { ModelCatalog } from '../models/model-catalog.ts';
import { type ApiServices, createApiServices } from '../services.ts';

/*
 * The one file of the in-process tests that reaches into apps/api/src: the tests
 * beside the features import this and nothing else of the API, so a move of the
 * API's modules changes the imports here only.
 */

export interface InProcessApiOptions {
  /**
   * The environment, as the API process would read it (API_KEYS, MAX_UPLOAD_BYTES,
   * RATE_LIMIT_PER_MINUTE, CORS_ORIGINS, ...). REDIS_URL defaults to the test run's
   * private Redis, QUEUE_PREFIX to a fresh prefix, MODEL_REPOSITORY to the repository's
   * models/ (the reference model), LOG_LEVEL to debug (as test/support/processes.ts).
   */
  env?: Record<string, string | undefined>;
}

/**
 * The API's Express app built as apps/api/src/main.ts builds it (same env parsing,
 * Redis connections, events subscription, model catalog, authenticator, services),
 * listening on an ephemeral 127.0.0.1 port in the test's own process: no spawn, no
 * start-up wait. What main.ts does on a bad setting (exit 78) is thrown here instead;
 * the exit codes themselves stay with the process-level tests.
 */
export class InProcessApi {
  /** `http://127.0.0.1:<port>`. */
  readonly apiUrl: string;
  readonly prefix: string;
  readonly env: Env;
  /** The services the routes use (store, queues, metrics, ...), for tests that look behind the HTTP answer. */
  readonly services: ApiServices;
  private readonly server: Server;
  private readonly redis: Redis;
  private readonly events: JobEvents;
  private readonly lines: string[];
  private closed: Promise<void> | undefined;

  private constructor(parts: {
    apiUrl: string;
    env: Env;
    services: ApiServices;
    server: Server;
    redis: Redis;
    events: JobEvents;
    lines: string[];
  }) {
    this.apiUrl = parts.apiUrl;
    this.prefix = parts.env.QUEUE_PREFIX;
    this.env = parts.env;
    this.services = parts.services;
    this.server = parts.server;
    this.redis = parts.redis;
    this.events = parts.events;
    this.lines = parts.lines;
  }

  static async start(options: InProcessApiOptions = {}): Promise<InProcessApi> {
    const env = loadEnv({
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix('api'),
      MODEL_REPOSITORY: path.join(ROOT, 'models'),
      LOG_LEVEL: 'debug',
      ...options.env,
    });
    const lines: string[] = [];
    const logger = memoryLogger(env.LOG_LEVEL, lines);
    warnPortless(new Allowlist(env.SSRF_ALLOWLIST), logger);

    const catalog = ModelCatalog.fromRepository(env.MODEL_REPOSITORY);
    if (!catalog.has(env.DEFAULT_MODEL)) {
      throw new Error(
        `Invalid configuration: DEFAULT_MODEL=${JSON.stringify(env.DEFAULT_MODEL)}: not a model of MODEL_REPOSITORY (${catalog.names().join(', ') || 'none'})`,
      );
    }
    const auth = Authenticator.fromSettings({
      apiKeys: env.API_KEYS,
      jwtSecret: env.JWT_SECRET,
      jwtJwksUrl: env.JWT_JWKS_URL,
      jwtIssuer: env.JWT_ISSUER,
      jwtAudience: env.JWT_AUDIENCE,
    });

    const redis = createRedis(env.REDIS_URL, 'producer');
    redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
    const events = new JobEvents(
      () => createRedis(env.REDIS_URL, 'subscriber'),
      redisKeys(env.QUEUE_PREFIX).jobEvents,
      logger,
    );
    try {
      await waitReady(redis);
      await checkEvictionPolicy(redis, logger);
      await events.start();
    } catch (error) {
      await events.close();
      await closeRedis(redis);
      throw error;
    }

    const services = createApiServices(env, { redis, logger, catalog, events, auth });
    const server = createApp(services).listen(0, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (error) {
      await Promise.all([services.close(), events.close()]);
      await closeRedis(redis);
      throw error;
    }
    const { port } = server.address() as AddressInfo;
    return new InProcessApi({ apiUrl: `http://127.0.0.1:${port}`, env, services, server, redis, events, lines });
  }

  url(path: string): string {
    return `${this.apiUrl}${path}`;
  }

  /** Every log line of this API so far (JSON lines, as the process writes them to a pipe). */
  logs(): string {
    return this.lines.join('');
  }

  /** Stop as main.ts's shutdown does, then delete every key under the prefix. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // As main.ts: end event streams and Prefer: wait at once.
    const eventsClosed = this.events.close();
    // Keep-alive sockets of the test's fetch calls would hold server.close for their idle timeout.
    this.server.closeAllConnections();
    await Promise.all([stopped, eventsClosed]);
    await this.services.close();
    try {
      await deletePrefix(this.redis, this.prefix);
    } finally {
      await closeRedis(this.redis);
    }
  }
}

/**
 * A logger configured as @infer/logger's createLogger configures the process's (its
 * fields, timestamps and redaction), writing JSON lines into `lines` instead of stdout
 * so a test can read what the API logged.
 */
function memoryLogger(level: string, lines: string[]): Logger {
  return pino(
    {
      name: 'api',
      level,
      base: { service: 'api', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    { write: (line: string) => void lines.push(line) },
  );
}
