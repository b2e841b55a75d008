import { loadEnvOrExit } from '@infer/config';
import { JobStore, WorkerRegistry } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { checkEvictionPolicy, closeRedis, createRedis, waitReady } from '@infer/redis';
import { installShutdown } from '@infer/runtime';
import { createApp } from './app.ts';
import { JobQueues } from './job-queues.ts';
import { ModelCatalog } from './model-catalog.ts';

const env = loadEnvOrExit();
const logger = createLogger({ name: 'api', level: env.LOG_LEVEL });

let catalog: ModelCatalog;
try {
  catalog = ModelCatalog.fromRepository(env.MODEL_REPOSITORY);
} catch (error) {
  logger.fatal((error as Error).message);
  process.exit(1);
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

const queues = new JobQueues(redis, env.QUEUE_PREFIX, catalog.names());
const app = createApp({
  redis,
  store: new JobStore(redis, env.QUEUE_PREFIX, env.RESULT_TTL_SECONDS),
  queues,
  workers: new WorkerRegistry(redis, env.QUEUE_PREFIX),
  catalog,
  logger,
  settings: {
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    defaultModel: env.DEFAULT_MODEL,
    jobAttempts: env.JOB_ATTEMPTS,
    heartbeatTtlMs: env.WORKER_HEARTBEAT_TTL_MS,
  },
});

const server = app.listen(env.PORT, env.HOST, () => {
  logger.info({ port: env.PORT, host: env.HOST, models: catalog.names() }, 'api listening');
});

installShutdown({
  logger,
  graceMs: env.SHUTDOWN_GRACE_MS,
  steps: [
    { name: 'stop accepting requests', run: () => new Promise((resolve) => server.close(resolve)) },
    { name: 'close queues', run: () => queues.close() },
    { name: 'close redis', run: () => closeRedis(redis) },
  ],
});
