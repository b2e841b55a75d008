import type { Env } from '@infer/config';
import {
  Deadlines,
  type DurableWrites,
  FileStore,
  JobStore,
  ModelRoutingStore,
  ShadowStatsStore,
  WebhookStore,
  WorkerRegistry,
} from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { InferenceQueues } from '@infer/queues';
import { primariesOf, type RedisClient } from '@infer/redis';
import { DeadlineSweeper } from './background/deadline-sweeper.ts';
import { EnqueueRepair } from './background/enqueue-repair.ts';
import { Backpressure } from './jobs/backpressure.ts';
import { Idempotency } from './jobs/idempotency.ts';
import { ImageFetcher } from './jobs/image-fetch.ts';
import type { JobEvents } from './jobs/job-events.ts';
import { JobWaiter } from './jobs/job-waiter.ts';
import { JobsService } from './jobs/jobs.service.ts';
import { QueueInsight } from './jobs/queue-insight.ts';
import type { ModelCatalog } from './models/model-catalog.ts';
import { registerShadowMetrics } from './models/shadow-metrics.ts';
import { adminQueuesRoute } from './platform/admin-queues.ts';
import type { Authenticator } from './platform/auth.ts';
import { createApiMetrics } from './platform/metrics.ts';

/** The API's settings, from the validated environment. */
function apiSettings(env: Env) {
  return {
    maxUploadBytes: env.MAX_UPLOAD_BYTES,
    defaultModel: env.DEFAULT_MODEL,
    jobAttempts: env.JOB_ATTEMPTS,
    heartbeatTtlMs: env.WORKER_HEARTBEAT_TTL_MS,
    resultTtlSeconds: env.RESULT_TTL_SECONDS,
    maxQueueDepth: env.MAX_QUEUE_DEPTH,
    maxBatchImages: env.MAX_BATCH_IMAGES,
    maxBatchBytes: env.MAX_BATCH_BYTES,
    idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
    listPageSize: env.LIST_PAGE_SIZE,
    /** WEBHOOK_SECRET, for `GET /v1/webhooks/default/secret` (Replicate's clients verify deliveries with it). */
    webhookSecrets: env.WEBHOOK_SECRET,
    /** Requests per minute per principal on /v1; 0: no limit. */
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    imageUrl: {
      timeoutMs: env.IMAGE_URL_TIMEOUT_MS,
      maxRedirects: env.IMAGE_URL_MAX_REDIRECTS,
      allowlist: env.SSRF_ALLOWLIST,
    },
    /** Express `trust proxy` (TRUST_PROXY). */
    trustProxy: env.TRUST_PROXY,
    /** Browser origins allowed on /v1 (CORS_ORIGINS); none: CORS off. */
    corsOrigins: env.CORS_ORIGINS,
    /** /admin/queues: who may open it with auth on, and whether it may change jobs. */
    admin: { principals: env.ADMIN_PRINCIPALS, writable: env.ADMIN_QUEUES_WRITABLE },
  };
}

export interface ApiServicesDeps {
  /** The producer connection (no offline queue): requests fail fast while Redis is away. */
  redis: RedisClient;
  logger: Logger;
  catalog: ModelCatalog;
  /** The process's job-events subscription; its owner starts and closes it. */
  events: JobEvents;
  /** Bearer auth on /v1; undefined means auth off (local use). */
  auth?: Authenticator | undefined;
  /** REDIS_WAIT_REPLICAS > 0: submissions are written on this connection and WAITed for (packages/job-store durable-writes.ts). */
  durable?: DurableWrites | undefined;
}

/** An intent this old without its BullMQ job is an orphan: a live API enqueues within milliseconds. */
const ENQUEUE_REPAIR_GRACE_MS = 2000;
const ENQUEUE_REPAIR_INTERVAL_MS = 1000;

/**
 * Everything the API's routes use, built in one place for main.ts and the in-process
 * tests alike, with the background work it starts (Cancel-After sweeper, enqueue
 * repair) and one `close()` that stops what it started. It does not own the Redis
 * connection or the events subscription it was given.
 */
export function createApiServices(env: Env, deps: ApiServicesDeps) {
  const { redis, logger, catalog, events, auth, durable } = deps;
  const settings = apiSettings(env);
  const store = new JobStore(redis, env.QUEUE_PREFIX, env.RESULT_TTL_SECONDS, durable);
  const queues = new InferenceQueues(redis, env.QUEUE_PREFIX, catalog.names(), env.QUEUE_SHARDS);
  const workers = new WorkerRegistry(redis, env.QUEUE_PREFIX);
  const metrics = createApiMetrics({
    queues: () => catalog.names().map((model) => [model, queues.shardsOf(model)] as const),
    workers,
    heartbeatTtlMs: settings.heartbeatTtlMs,
    watching: () => events.watching,
    redisMemoryInfo: () => Promise.all(primariesOf(redis).map((node) => node.info('memory'))),
  });
  const insight = new QueueInsight(queues, workers, settings.heartbeatTtlMs);
  const deadlines = new Deadlines(store, redis);
  const routing = new ModelRoutingStore(redis, env.QUEUE_PREFIX);
  const shadowStats = new ShadowStatsStore(redis, env.QUEUE_PREFIX);
  registerShadowMetrics(metrics.registry, { models: () => catalog.names(), stats: shadowStats });
  const jobs = new JobsService(store, queues, deadlines, {
    routing,
    insight,
    attempts: settings.jobAttempts,
    resultTtlSeconds: settings.resultTtlSeconds,
    onSubmitted: (model) => metrics.jobsSubmitted.inc({ model }),
    onEnqueueDeferred: (error, count) =>
      logger.warn({ err: error, jobs: count }, 'jobs stored but not enqueued; the enqueue repair will enqueue them'),
    ssrfAllowlist: settings.imageUrl.allowlist,
  });
  const admin = adminQueuesRoute({
    inference: queues.all(),
    connection: redis,
    prefix: queues.prefix,
    auth,
    admins: settings.admin.principals,
    writable: settings.admin.writable,
  });
  // Cancel-After deadlines flip on time even with no worker running.
  const deadlineSweeper = new DeadlineSweeper(deadlines, jobs, logger).start();
  // Jobs stored but never enqueued (this or another API replica died in between) are enqueued within seconds.
  const enqueueRepair = new EnqueueRepair(store, queues, logger, {
    graceMs: ENQUEUE_REPAIR_GRACE_MS,
    intervalMs: ENQUEUE_REPAIR_INTERVAL_MS,
    attempts: settings.jobAttempts,
  }).start();
  // New and removed versions, as the workers see them (they poll at the same interval).
  const catalogRefresh =
    env.MODEL_REPOSITORY_POLL_SECONDS > 0
      ? setInterval(() => catalog.refresh(), env.MODEL_REPOSITORY_POLL_SECONDS * 1000).unref()
      : undefined;

  return {
    env,
    settings,
    redis,
    logger,
    catalog,
    auth,
    events,
    store,
    queues,
    workers,
    metrics,
    insight,
    jobs,
    routing,
    shadowStats,
    waiter: new JobWaiter(events),
    backpressure: new Backpressure(queues, settings.maxQueueDepth),
    images: new ImageFetcher({ ...settings.imageUrl, maxBytes: settings.maxUploadBytes }),
    idempotency: new Idempotency(
      redis,
      store.keys,
      {
        ttlSeconds: settings.idempotencyTtlSeconds,
        // Renewed every third of it while the request works: a claim of a process that died frees itself this soon.
        pendingTtlSeconds: 10,
        waitMs: settings.imageUrl.timeoutMs + 5000,
      },
      durable,
    ),
    webhooks: new WebhookStore(redis, store.keys),
    files: new FileStore(redis, store.keys, settings.resultTtlSeconds, durable),
    admin,
    /** Stop the background work and close the queues (not the Redis connection, not the events). */
    close: async () => {
      clearInterval(catalogRefresh);
      await Promise.all([deadlineSweeper.stop(), enqueueRepair.stop(), admin.close()]);
      await queues.close();
    },
  };
}
export type ApiServices = ReturnType<typeof createApiServices>;
