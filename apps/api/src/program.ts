import { loadEnvOrExit } from '@infer/config';
import { redisKeys } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { checkEvictionPolicy, closeRedis, createRedis, waitReady } from '@infer/redis';
import { installShutdown, weighExternalMemoryWithHeap } from '@infer/runtime';
import { Allowlist, warnPortless } from '@infer/ssrf-guard';
import { FLUSH_TRACES_STEP } from '@infer/telemetry';
import { createApp } from './app.ts';
import { JobEvents } from './jobs/job-events.ts';
import { ModelCatalog } from './models/model-catalog.ts';
import { Authenticator } from './platform/auth.ts';
import { createApiServices } from './services.ts';

// First, before any work: Buffers weigh in GC decisions as the heap does (see gc-limits.ts).
weighExternalMemoryWithHeap();
const env = loadEnvOrExit();
const logger = createLogger({ name: 'api', level: env.LOG_LEVEL, format: env.LOG_FORMAT });
warnPortless(new Allowlist(env.SSRF_ALLOWLIST), logger);

let catalog: ModelCatalog;
try {
  catalog = ModelCatalog.fromRepository(env.MODEL_REPOSITORY);
} catch (error) {
  logger.fatal((error as Error).message);
  process.exit(1);
}
if (!catalog.has(env.DEFAULT_MODEL)) {
  // Otherwise every submission without `model` would be refused as the client's unknown_model.
  process.stderr.write(
    `Invalid configuration: DEFAULT_MODEL=${JSON.stringify(env.DEFAULT_MODEL)}: not a model of MODEL_REPOSITORY (${catalog.names().join(', ') || 'none'})\n`,
  );
  process.exit(78); // EX_CONFIG
}

// Producer connection: no offline queue, so requests fail fast (503) while Redis is down.
const redis = createRedis(env.REDIS_URL, 'producer');
redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
try {
  await waitReady(redis);
} catch (error) {
  logger.fatal({ err: error, redis: env.REDIS_URL.replace(/\/\/[^@]*@/, '//***@') }, 'cannot reach Redis');
  process.exit(1);
}
await checkEvictionPolicy(redis, logger);

let auth: Authenticator | undefined;
try {
  auth = Authenticator.fromSettings({
    apiKeys: env.API_KEYS,
    jwtSecret: env.JWT_SECRET,
    jwtJwksUrl: env.JWT_JWKS_URL,
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
  });
} catch (error) {
  process.stderr.write(`Invalid configuration: ${(error as Error).message}\n`);
  process.exit(78); // EX_CONFIG, as for any other bad setting
}
logger.info(
  { auth: auth ? 'on' : 'off', rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE || 'off' },
  auth ? 'bearer auth required on /v1' : 'auth off: every client sees every job (set API_KEYS or JWT_* to turn it on)',
);

// One pub/sub connection for every Prefer: wait and event stream of this process.
const events = new JobEvents(
  () => createRedis(env.REDIS_URL, 'subscriber'),
  redisKeys(env.QUEUE_PREFIX).jobEvents,
  logger,
);
await events.start();

const services = createApiServices(env, { redis, logger, catalog, events, auth });
const app = createApp(services);

const server = app.listen(env.PORT, env.HOST, () => {
  logger.info({ port: env.PORT, host: env.HOST, models: catalog.names() }, 'api listening');
});

installShutdown({
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  steps: [
    {
      name: 'stop accepting requests',
      run: () =>
        new Promise((resolve) => {
          server.close(resolve);
          // End event streams and Prefer: wait at once (clients reconnect elsewhere); server.close waits for them.
          void events.close();
        }),
    },
    { name: 'stop the sweepers, close the queues', run: () => services.close() },
    { name: 'close redis', run: () => closeRedis(redis) },
    FLUSH_TRACES_STEP,
  ],
});
