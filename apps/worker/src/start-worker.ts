import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { type Env, redisTargetOf } from '@infer/config';
import type { WorkerState } from '@infer/contracts';
import { configureSharp, loadModelRepository, ModelServer, modelOfVersionKey } from '@infer/inference';
import { Deadlines, JobStore, ResultCache, redisKeys, ShadowStatsStore, WorkerRegistry } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { createInferenceWorkers, inferenceQueueOfShard, startDeadWorkerReclaim } from '@infer/queues';
import { checkEvictionPolicy, closeRedis, createRedis, describeRedisTarget } from '@infer/redis';
import { createProbeServer, Limiter, listenProbes, type ShutdownStep, withTimeout } from '@infer/runtime';
import { tracingActive } from '@infer/telemetry';
import { recordAbandonedJobs } from './abandoned-jobs.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createInferenceProcessor } from './inference.processor.ts';
import { RepositoryWatcher } from './repository-watcher.ts';
import { sessionSettingsOf } from './session-settings.ts';
import { ShadowRunner } from './shadow-runner.ts';
import { ThroughputWindow } from './throughput.ts';
import { createWorkerMetrics } from './worker-metrics.ts';

export interface WorkerDeps {
  logger: Logger;
  /** Ends the process when it can no longer work (models that do not load, a dead inference thread): process.exit in main.ts. */
  exit: (code: number) => never;
}

export interface RunningWorker {
  /** This process in the worker registry: `<hostname>-<pid>-<random>`. */
  workerId: string;
  /** Where the probes and /metrics listen (WORKER_PORT, or the port chosen for 0). */
  port: number;
  /** Stop taking jobs, drain, stop inference, leave the registry, close every connection: main.ts runs them under its grace period. */
  shutdownSteps: ShutdownStep[];
  /** The shutdown steps in order, for in-process use (tests). */
  close: () => Promise<void>;
}

/**
 * The worker, built and started in one place for main.ts and in-process tests alike:
 * probes, heartbeat, the models (warmed up), one BullMQ worker per model queue and the
 * dead-worker reclaim. Resolves once it takes jobs.
 */
export async function startWorker(env: Env, deps: WorkerDeps): Promise<RunningWorker> {
  const { logger, exit } = deps;
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const startedAt = new Date().toISOString();

  let models: ReturnType<typeof loadModelRepository>;
  try {
    models = loadModelRepository(env.MODEL_REPOSITORY, env.WORKER_MODELS);
  } catch (error) {
    logger.fatal((error as Error).message);
    return exit(1);
  }

  // sharp decodes on libuv's thread pool (UV_THREADPOOL_SIZE, default 4, shared with
  // fs and dns): more concurrent decodes than pool threads just queue there.
  if (env.PREPROCESS_CONCURRENCY > env.UV_THREADPOOL_SIZE) {
    logger.warn(
      { PREPROCESS_CONCURRENCY: env.PREPROCESS_CONCURRENCY, UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE },
      'PREPROCESS_CONCURRENCY exceeds the libuv thread pool; set UV_THREADPOOL_SIZE at least as high',
    );
  }
  configureSharp();

  let ready = false;
  let server: ModelServer | undefined;
  const metrics = createWorkerMetrics(
    { ready: () => ready, pending: () => server?.pending ?? 0 },
    { exemplars: tracingActive() },
  );
  const http = createProbeServer({ ready: () => ready }, metrics.registry, undefined, metrics.openMetrics);
  const listening = once(http, 'listening');
  listenProbes(http, env.WORKER_PORT, logger, 'WORKER_PORT');

  // With REDIS_SENTINELS set both follow the primary across a failover (BullMQ's blocking
  // connections are duplicates of `connection`, Sentinel settings included).
  const target = redisTargetOf(env);
  logger.info({ redis: describeRedisTarget(target) }, 'connecting to redis');
  const connection = createRedis(target, 'worker');
  const client = createRedis(target, 'worker');
  connection.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  client.on('error', (error) => logger.warn({ err: error }, 'redis client error'));
  await checkEvictionPolicy(client, logger);

  // Beating from the start, so that the API can tell "loading" from "no worker at all".
  let workerState: WorkerState = 'loading';
  const throughput = new ThroughputWindow();
  const registry = new WorkerRegistry(client, env.QUEUE_PREFIX);
  const heartbeat = startHeartbeat(
    registry,
    () => ({
      id: workerId,
      hostname: hostname(),
      pid: process.pid,
      models:
        server?.catalog().map(({ name, versions }) => {
          const states = server?.versionStates(name);
          return {
            name,
            versions,
            batch_limits: Object.fromEntries(
              versions.map((version) => [version, server?.batchLimit(name, version) ?? 1]),
            ),
            loading_versions: states?.loading ?? [],
            failed_versions: states?.failed ?? {},
          };
        }) ?? [...models].map(([name, entry]) => ({ name, versions: entry.versions })),
      execution_provider: server?.provider ?? env.EXECUTION_PROVIDERS[0] ?? 'cpu',
      started_at: startedAt,
      seen_at: startedAt,
      state: workerState,
      throughput: throughput.rates(),
    }),
    env.WORKER_HEARTBEAT_TTL_MS,
    logger,
  );

  server = await ModelServer.start(
    models,
    sessionSettingsOf(env),
    {
      windowMs: env.BATCH_WINDOW_MS,
      maxBatchSize: env.MAX_BATCH_SIZE,
      tuning: env.BATCH_AUTOTUNE ? { latencyBudgetMs: env.BATCH_LATENCY_BUDGET_MS } : undefined,
      onBatch: (key, size) => {
        const { name, version } = modelOfVersionKey(key);
        metrics.batchSize.observe({ model: name, version }, size);
      },
      onBatchLimit: (key, limit, choice) => {
        const { name, version } = modelOfVersionKey(key);
        metrics.batchLimit.set({ model: name, version }, limit);
        logger.info(
          { model: key, batchSizeLimit: limit, imagesPerSecond: choice?.imagesPerSecond },
          choice ? 'batch size cap chosen from calibration' : 'batch size cap changed',
        );
      },
    },
    { warmUp: env.WARMUP, onWarning: (message) => logger.warn(message) },
  ).catch((error: unknown) => {
    logger.fatal({ err: error }, 'could not load models');
    return exit(1);
  });
  server.runnerEvents.on('error', (error) => {
    // Every session lived in that thread: exit and let the orchestrator restart us;
    // our active jobs return to the queue through BullMQ's stalled-job check.
    logger.fatal({ err: error }, 'inference thread died');
    exit(1);
  });
  metrics.provider.set({ provider: server.provider }, 1);
  for (const { name, versions } of server.catalog()) {
    for (const version of versions) metrics.batchLimit.set({ model: name, version }, server.batchLimit(name, version));
  }
  logger.info(
    {
      provider: server.provider,
      models: server.catalog().map((m) => `${m.name}@${m.versions.join(',')}`),
      maxBatchSize: env.MAX_BATCH_SIZE,
      batchWindowMs: env.BATCH_WINDOW_MS,
      warmedUp: env.WARMUP,
    },
    'models loaded',
  );
  const draining = new AbortController();

  const store = new JobStore(client, env.QUEUE_PREFIX, env.RESULT_TTL_SECONDS);
  // New and removed versions are taken while serving: polled, and at once on the admin reload message.
  const watcher = new RepositoryWatcher({
    root: env.MODEL_REPOSITORY,
    models: [...models.keys()],
    server,
    logger,
    pollSeconds: env.MODEL_REPOSITORY_POLL_SECONDS,
    onChange: () => {
      heartbeat.beatNow();
      // Removed versions leave the gauge; served ones (new ones too) are set again.
      metrics.batchLimit.reset();
      for (const { name, versions } of server?.catalog() ?? []) {
        for (const version of versions) {
          metrics.batchLimit.set({ model: name, version }, server?.batchLimit(name, version) ?? 1);
        }
      }
    },
  }).start();
  const subscriber = createRedis(target, 'subscriber');
  subscriber.on('error', (error) => logger.warn({ err: error }, 'redis subscriber error'));
  subscriber.on('message', () => void watcher.refresh());
  await subscriber.subscribe(redisKeys(env.QUEUE_PREFIX).modelReload);
  const shadow = new ShadowRunner({
    server,
    stats: new ShadowStatsStore(client, env.QUEUE_PREFIX),
    logger,
    maxInFlight: env.SHADOW_MAX_IN_FLIGHT,
    // More images waiting than two full batches: the worker is busy with jobs that answer clients.
    saturatedAt: 2 * env.MAX_BATCH_SIZE,
  });
  const processor = createInferenceProcessor({
    shadow,
    refreshModels: () => watcher.refresh(),
    store,
    deadlines: new Deadlines(store, client),
    server,
    logger,
    metrics,
    preprocessLimiter: new Limiter(env.PREPROCESS_CONCURRENCY),
    limits: { maxInputPixels: env.MAX_INPUT_PIXELS },
    jobTimeoutMs: env.JOB_TIMEOUT_MS,
    draining: draining.signal,
    cache:
      env.RESULT_CACHE_TTL_SECONDS > 0 ? new ResultCache(client, store.keys, env.RESULT_CACHE_TTL_SECONDS) : undefined,
    onSucceeded: (model) => throughput.record(model),
  });
  // One BullMQ worker per model queue shard (QUEUE_SHARDS), sharing one connection; started once models are warm.
  const workers = [...models.keys()].flatMap((model) =>
    createInferenceWorkers(connection, model, processor, {
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WORKER_CONCURRENCY,
      shards: env.QUEUE_SHARDS,
      lockDurationMs: env.LOCK_DURATION_MS,
      resultTtlSeconds: env.RESULT_TTL_SECONDS,
    }),
  );
  // Before the first job: its lock token names a BullMQ worker already stamped alive.
  const reclaim = await startDeadWorkerReclaim({
    registry,
    workers,
    deadAfterMs: env.WORKER_HEARTBEAT_TTL_MS,
    logger,
    onReclaimed: (queue, jobIds) => metrics.reclaimed.inc({ queue: inferenceQueueOfShard(queue) }, jobIds.length),
  });
  for (const worker of workers) {
    worker.on('error', (error) => logger.error({ err: error, queue: worker.name }, 'queue worker error'));
    recordAbandonedJobs(worker, store, metrics, server, logger);
    void worker.run();
  }

  ready = true;
  workerState = 'ready';
  heartbeat.beatNow();
  logger.info({ workerId, queues: workers.map((w) => w.name), concurrency: env.WORKER_CONCURRENCY }, 'worker ready');

  // Leave a margin of the grace period for closing connections after the workers.
  const drainMs = Math.max(0, env.SHUTDOWN_GRACE_MS - 2000);
  const shutdownSteps: ShutdownStep[] = [
    {
      name: 'stop taking jobs, finish running batches, hand back the rest',
      run: async () => {
        ready = false;
        workerState = 'draining';
        heartbeat.beatNow();
        // Jobs waiting to be decoded or batched go back to the queue at once for other
        // workers; only images already inside a running batch are finished here.
        draining.abort();
        server?.stopAccepting();
        // worker.close() waits for active jobs and can wait forever: bound it, then force.
        // Forced-closed jobs keep their lock until it expires and are then recovered as stalled.
        await withTimeout(
          Promise.all(workers.map((w) => w.close())),
          drainMs,
          () => new Error('drain timed out'),
        ).catch(async (error: unknown) => {
          logger.warn({ err: error }, 'active jobs did not finish in time; handing them back');
          await Promise.all(workers.map((w) => w.close(true)));
        });
      },
    },
    {
      name: 'stop inference',
      run: async () => {
        // No reload message may start loading a version on a server being closed.
        await subscriber.unsubscribe().catch(() => undefined);
        await watcher.stop();
        await shadow.drained();
        await server?.close();
      },
    },
    { name: 'leave worker registry', run: () => Promise.all([heartbeat.stop(), reclaim.stop()]) },
    { name: 'close probes', run: () => new Promise((resolve) => http.close(resolve)) },
    {
      name: 'close redis',
      run: () => Promise.all([closeRedis(connection), closeRedis(client), closeRedis(subscriber)]),
    },
  ];
  await listening;
  return {
    workerId,
    port: (http.address() as AddressInfo).port,
    shutdownSteps,
    close: async () => {
      for (const step of shutdownSteps) await step.run();
    },
  };
}
