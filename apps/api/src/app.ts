import { randomUUID } from 'node:crypto';
import type { Env } from '@infer/config';
import { Deadlines, FileStore, type JobStore, WebhookStore, type WorkerRegistry } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import { adminQueuesRoute } from './admin-queues.ts';
import { type Authenticator, ownerOf, requireAuth } from './auth.ts';
import { Backpressure } from './backpressure.ts';
import { corsFor } from './cors.ts';
import { DeadlineSweeper } from './deadline-sweeper.ts';
import { EnqueueRepair } from './enqueue-repair.ts';
import { eventsRoute } from './events.route.ts';
import { healthRoute } from './health.route.ts';
import { errorHandler, routeNotFound } from './http-errors.ts';
import { Idempotency } from './idempotency.ts';
import { ImageFetcher } from './image-fetch.ts';
import { JobEvents } from './job-events.ts';
import type { JobQueues } from './job-queues.ts';
import { JobWaiter } from './job-waiter.ts';
import { jobsRoute } from './jobs.route.ts';
import { JobsService } from './jobs.service.ts';
import { createApiMetrics, metricsRoute } from './metrics.ts';
import type { ModelCatalog } from './model-catalog.ts';
import { modelsRoute } from './models.route.ts';
import { openApiRoute } from './openapi.route.ts';
import { pagesRoute } from './pages.route.ts';
import { QueueInsight } from './queue-insight.ts';
import { rateLimit } from './rate-limit.ts';
import { replicateRoute } from './replicate.route.ts';
import { webhooksRoute } from './webhooks.route.ts';

export interface AppDeps {
  redis: Redis;
  store: JobStore;
  queues: JobQueues;
  workers: WorkerRegistry;
  catalog: ModelCatalog;
  logger: Logger;
  /** The job-events subscription (main.ts passes one on a subscriber connection); else one on `redis.duplicate()`. */
  events?: JobEvents;
  /** Bearer auth on /v1; undefined means auth off (local use). */
  auth?: Authenticator | undefined;
  /** Requests per minute per principal on /v1 (RATE_LIMIT_PER_MINUTE); 0 or undefined means no limit. */
  rateLimitPerMinute?: number;
  settings: {
    maxUploadBytes: number;
    defaultModel: string;
    jobAttempts: number;
    heartbeatTtlMs: number;
    resultTtlSeconds: number;
    maxQueueDepth: number;
    maxBatchImages: number;
    maxBatchBytes: number;
    idempotencyTtlSeconds: number;
    listPageSize: number;
    /** WEBHOOK_SECRET, for `GET /v1/webhooks/default/secret` (Replicate's clients verify deliveries with it). */
    webhookSecrets?: readonly string[] | undefined;
    imageUrl: { timeoutMs: number; maxRedirects: number; allowlist: string[] };
    /** Express `trust proxy` (TRUST_PROXY). */
    trustProxy: boolean | number | string[];
    /** Browser origins allowed on /v1 (CORS_ORIGINS); none: CORS off. */
    corsOrigins: string[];
    /** /admin/queues: who may open it with auth on, and whether it may change jobs. */
    admin: { principals: string[]; writable: boolean };
  };
}

/** The API's settings from the validated environment (main.ts and in-process tests alike). */
export function apiSettings(env: Env): AppDeps['settings'] {
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
    webhookSecrets: env.WEBHOOK_SECRET,
    imageUrl: {
      timeoutMs: env.IMAGE_URL_TIMEOUT_MS,
      maxRedirects: env.IMAGE_URL_MAX_REDIRECTS,
      allowlist: env.SSRF_ALLOWLIST,
    },
    trustProxy: env.TRUST_PROXY,
    corsOrigins: env.CORS_ORIGINS,
    admin: { principals: env.ADMIN_PRINCIPALS, writable: env.ADMIN_QUEUES_WRITABLE },
  };
}

/** An intent this old without its BullMQ job is an orphan: a live API enqueues within milliseconds. */
const ENQUEUE_REPAIR_GRACE_MS = 2000;
const ENQUEUE_REPAIR_INTERVAL_MS = 1000;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The HTTP API, without listening: tests build it in-process. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.settings.trustProxy);
  app.use(
    pinoHttp({
      logger: deps.logger,
      // The request id travels into job data and every log line of that job.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );

  const events =
    deps.events ??
    new JobEvents(
      () => deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }),
      deps.store.keys.jobEvents,
      deps.logger,
    );
  const waiter = new JobWaiter(events);
  const metrics = createApiMetrics({
    queues: () => deps.catalog.names().map((model) => [model, deps.queues.get(model)] as const),
    workers: deps.workers,
    heartbeatTtlMs: deps.settings.heartbeatTtlMs,
    watching: () => events.watching,
  });
  app.use(metrics.middleware);

  const insight = new QueueInsight(deps.queues, deps.workers, deps.settings.heartbeatTtlMs);
  const deadlines = new Deadlines(deps.store, deps.redis);
  const jobs = new JobsService(deps.store, deps.queues, deps.catalog, deadlines, {
    insight,
    attempts: deps.settings.jobAttempts,
    resultTtlSeconds: deps.settings.resultTtlSeconds,
    onSubmitted: (model) => metrics.jobsSubmitted.inc({ model }),
    onEnqueueDeferred: (error, count) =>
      deps.logger.warn(
        { err: error, jobs: count },
        'jobs stored but not enqueued; the enqueue repair will enqueue them',
      ),
    ssrfAllowlist: deps.settings.imageUrl.allowlist,
  });
  // Probes, metrics and the API description stay open: orchestrators and scrapers carry no
  // credentials (restrict /metrics at the network level if needed).
  app.use(healthRoute({ redis: deps.redis, workers: deps.workers, heartbeatTtlMs: deps.settings.heartbeatTtlMs }));
  app.use(metricsRoute(metrics));
  app.use(openApiRoute());
  app.use(pagesRoute());
  const admin = adminQueuesRoute({
    inference: deps.queues.all(),
    connection: deps.redis,
    prefix: deps.queues.prefix,
    auth: deps.auth,
    admins: deps.settings.admin.principals,
    writable: deps.settings.admin.writable,
  });
  app.use(admin.router);
  // Before auth: a preflight carries no credentials.
  if (deps.settings.corsOrigins.length > 0) app.use('/v1', corsFor(deps.settings.corsOrigins));
  app.use('/v1', requireAuth(deps.auth));
  if (deps.rateLimitPerMinute) {
    app.use('/v1', rateLimit(deps.redis, { limit: deps.rateLimitPerMinute, key: deps.store.keys.rateLimit }));
  }
  app.use(eventsRoute(events, { read: (id, req) => jobs.get(id, ownerOf(req)) }));
  const backpressure = new Backpressure(deps.queues, deps.settings.maxQueueDepth);
  const images = new ImageFetcher({ ...deps.settings.imageUrl, maxBytes: deps.settings.maxUploadBytes });
  const webhooks = new WebhookStore(deps.redis, deps.store.keys);
  app.use(webhooksRoute({ webhooks, read: (id, req) => jobs.get(id, ownerOf(req)) }));
  app.use(
    jobsRoute(
      jobs,
      {
        ...deps.settings,
        maxCancelAfterSeconds: deps.settings.resultTtlSeconds,
        idempotency: new Idempotency(deps.redis, deps.store.keys, {
          ttlSeconds: deps.settings.idempotencyTtlSeconds,
          // Renewed every third of it while the request works: a claim of a process that died frees itself this soon.
          pendingTtlSeconds: 10,
          waitMs: deps.settings.imageUrl.timeoutMs + 5000,
        }),
        backpressure,
        images,
      },
      waiter,
    ),
  );
  app.use(
    replicateRoute({
      jobs,
      store: deps.store,
      files: new FileStore(deps.redis, deps.store.keys, deps.settings.resultTtlSeconds),
      catalog: deps.catalog,
      backpressure,
      images,
      waiter,
      maxUploadBytes: deps.settings.maxUploadBytes,
      listPageSize: deps.settings.listPageSize,
      webhookSecrets: deps.settings.webhookSecrets,
    }),
  );
  app.use(
    modelsRoute({
      catalog: deps.catalog,
      workers: deps.workers,
      heartbeatTtlMs: deps.settings.heartbeatTtlMs,
      insight,
    }),
  );
  // Cancel-After deadlines flip on time even with no worker running.
  const deadlineSweeper = new DeadlineSweeper(deadlines, jobs, deps.logger).start();
  // Jobs stored but never enqueued (this or another API replica died in between) are enqueued within seconds.
  const enqueueRepair = new EnqueueRepair(deps.store, deps.queues, deps.logger, {
    graceMs: ENQUEUE_REPAIR_GRACE_MS,
    intervalMs: ENQUEUE_REPAIR_INTERVAL_MS,
    attempts: deps.settings.jobAttempts,
  }).start();
  app.locals.stopBackground = async () => {
    await Promise.all([deadlineSweeper.stop(), enqueueRepair.stop(), admin.close()]);
  };
  app.use(routeNotFound);
  app.use(errorHandler);
  return app;
}

/** Stop what createApp started besides the routes (sweepers, the dashboard's queue); main.ts and tests call it. */
export async function stopBackground(app: Express): Promise<void> {
  await (app.locals.stopBackground as (() => Promise<void>) | undefined)?.();
}
