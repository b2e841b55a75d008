import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { type Env, redisTargetOf } from '@infer/config';
import { redisKeys, WebhookStore, WorkerRegistry } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { createWebhookWorker, startDeadWorkerReclaim, WEBHOOK_QUEUE_NAME } from '@infer/queues';
import { checkEvictionPolicy, closeRedis, createRedis, describeRedisTarget } from '@infer/redis';
import { createProbeServer, listenProbes, type ShutdownStep, withTimeout } from '@infer/runtime';
import { Allowlist, warnPortless } from '@infer/ssrf-guard';
import { bullmqTelemetry } from '@infer/telemetry';
import { Queue } from 'bullmq';
import { createDeliveryProcessor } from './delivery.processor.ts';
import { createDispatcherMetrics } from './dispatcher-metrics.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { retrySchedule } from './retry-policy.ts';
import { decodeSecret } from './signing.ts';

export interface DispatcherDeps {
  logger: Logger;
}

export interface RunningDispatcher {
  /** Where the probes and /metrics listen (DISPATCHER_PORT, or the port chosen for 0). */
  port: number;
  /** Stop relaying, finish or hand back deliveries, close every connection: main.ts runs them under its grace period. */
  shutdownSteps: ShutdownStep[];
  /** The shutdown steps in order, for in-process use (tests). */
  close: () => Promise<void>;
}

/**
 * The webhook dispatcher, built and started in one place for main.ts and in-process
 * tests alike: probes, the delivery worker, the dead-worker reclaim and the outbox
 * relay, on connections of its own. Resolves once it relays and delivers.
 */
export async function startDispatcher(env: Env, deps: DispatcherDeps): Promise<RunningDispatcher> {
  const { logger } = deps;
  if (!env.WEBHOOK_SECRET) throw new Error('WEBHOOK_SECRET is required to sign webhooks');
  const keys = env.WEBHOOK_SECRET.map(decodeSecret);
  const allowlist = new Allowlist(env.SSRF_ALLOWLIST);
  warnPortless(allowlist, logger);
  const retry = retrySchedule(env.WEBHOOK_RETRY_SCHEDULE);

  const metrics = createDispatcherMetrics();
  let ready = false;

  // Three connections: BullMQ's worker (blocking), the relay's wake-up subscription, and commands.
  // With REDIS_SENTINELS set all three follow the primary across a failover.
  const target = redisTargetOf(env);
  logger.info({ redis: describeRedisTarget(target) }, 'connecting to redis');
  const connection = createRedis(target, 'worker');
  // The outbox relay's wake-ups (sharded pub/sub): a subscriber takes no other commands.
  const wake = createRedis(target, 'subscriber');
  const client = createRedis(target, 'worker');
  for (const [name, redis] of Object.entries({ connection, wake, client })) {
    redis.on('error', (error) => logger.warn({ err: error, connection: name }, 'redis error'));
  }
  await checkEvictionPolicy(client, logger);

  const queue = new Queue(WEBHOOK_QUEUE_NAME, {
    connection: client,
    prefix: env.QUEUE_PREFIX,
    telemetry: bullmqTelemetry(),
  });
  const webhooks = new WebhookStore(client, env.QUEUE_PREFIX);
  const outboxKeys = redisKeys(env.QUEUE_PREFIX).shards.map((shard) => shard.webhookOutbox);

  const http = createProbeServer(
    {
      ready: () => ready && client.status === 'ready',
      beforeScrape: async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed');
        for (const [state, count] of Object.entries(counts)) metrics.queueJobs.set({ state }, count);
        const lengths = await Promise.all(outboxKeys.map((key) => client.xlen(key)));
        metrics.outboxLength.set(lengths.reduce((sum, length) => sum + length, 0));
      },
    },
    metrics.registry,
  );
  const listening = once(http, 'listening');
  listenProbes(http, env.DISPATCHER_PORT, logger, 'DISPATCHER_PORT');

  const worker = createWebhookWorker(
    connection,
    createDeliveryProcessor({
      webhooks,
      logger,
      metrics,
      keys,
      allowlist,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retry,
      sendTraceparent: env.WEBHOOK_TRACEPARENT,
    }),
    {
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WEBHOOK_CONCURRENCY,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      backoffStrategy: retry.backoffStrategy,
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'delivery worker error'));
  // Deliveries a SIGKILLed dispatcher held are retried once it misses its beat, not when their locks expire.
  const reclaim = await startDeadWorkerReclaim({
    registry: new WorkerRegistry(client, env.QUEUE_PREFIX),
    workers: [worker],
    deadAfterMs: env.WORKER_HEARTBEAT_TTL_MS,
    logger,
  });
  void worker.run();

  const relay = new OutboxRelay(wake, client, queue, redisKeys(env.QUEUE_PREFIX), logger, metrics, {
    consumer: `${hostname()}-${process.pid}`,
    retry,
  });
  await relay.start();
  ready = true;
  logger.info(
    {
      concurrency: env.WEBHOOK_CONCURRENCY,
      scheduleMs: env.WEBHOOK_RETRY_SCHEDULE,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      secrets: keys.length,
    },
    'webhook dispatcher ready',
  );

  const drainMs = Math.max(0, env.SHUTDOWN_GRACE_MS - 2000);
  const shutdownSteps: ShutdownStep[] = [
    {
      name: 'stop relaying',
      run: async () => {
        ready = false;
        await relay.stop();
      },
    },
    {
      name: 'finish deliveries in flight',
      // An attempt is bounded by WEBHOOK_TIMEOUT_MS; past the drain deadline it is handed back (stalled).
      run: () =>
        withTimeout(worker.close(), drainMs, () => new Error('drain timed out')).catch(async (error: unknown) => {
          logger.warn({ err: error }, 'deliveries did not finish in time; handing them back');
          await worker.close(true);
        }),
    },
    { name: 'leave the queue workers’ registry', run: () => reclaim.stop() },
    { name: 'close queue', run: () => queue.close() },
    { name: 'close probes', run: () => new Promise((resolve) => http.close(resolve)) },
    {
      name: 'close redis',
      run: () => Promise.all([closeRedis(connection), closeRedis(wake), closeRedis(client)]),
    },
  ];
  await listening;
  return {
    port: (http.address() as AddressInfo).port,
    shutdownSteps,
    close: async () => {
      for (const step of shutdownSteps) await step.run();
    },
  };
}
