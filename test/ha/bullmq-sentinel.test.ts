import { loadEnv, redisTargetOf } from '@infer/config';
import { closeRedis, createRedis } from '@infer/redis';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSentinelGroup, startLocalSentinelGroup } from '../../dev-support/local-sentinel-group.ts';

// BullMQ's default: how long an idle worker blocks on its marker before it looks again.
const DRAIN_DELAY_SECONDS = 5;
const PROCESSED_WITHIN_MS = 20_000;

/**
 * BullMQ workers have wedged after Sentinel failovers before (bullmq#4378: a watchdog left
 * the blocking connection ended; bullmq#4585: an outage longer than drainDelay + 1 s stopped
 * the worker for good, with isRunning() still true). The installed bullmq carries both fixes;
 * this proves it on real servers, with the connections the worker processes use.
 */
describe('a BullMQ Worker and Queue on Sentinel connections (real redis-server and sentinels)', () => {
  let group: LocalSentinelGroup;
  let queue: Queue;
  let worker: Worker;
  let connections: Redis[] = [];
  const processedAt = new Map<string, number>();

  beforeAll(async () => {
    group = await startLocalSentinelGroup({ replicas: 2, sentinels: 3 });
    const target = redisTargetOf(loadEnv({ REDIS_SENTINELS: group.sentinelList }));
    // A Sentinel target: one server connection each (createRedis types any target as RedisClient).
    const queueConnection = createRedis(target, 'worker') as Redis;
    const workerConnection = createRedis(target, 'worker') as Redis;
    connections = [queueConnection, workerConnection];
    for (const connection of connections) connection.on('error', () => undefined);
    queue = new Queue('ha', { connection: queueConnection });
    queue.on('error', () => undefined); // as below
    worker = new Worker(
      'ha',
      async (job) => {
        processedAt.set(job.name, Date.now());
      },
      { connection: workerConnection, drainDelay: DRAIN_DELAY_SECONDS },
    );
    worker.on('error', () => undefined); // connection errors while the primary is down, by design
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    try {
      const closing = Promise.allSettled([worker?.close(true), queue?.close()]);
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5000))]);
      await Promise.all(connections.map(closeRedis));
    } finally {
      await group?.stop();
    }
  });

  it('keeps processing across a failover', async () => {
    await queue.add('before', {});
    await expect.poll(() => processedAt.has('before'), { timeout: PROCESSED_WITHIN_MS }).toBe(true);

    const { node, killedAt } = await group.killPrimary();
    await group.waitForNewPrimary(node);
    await queue.add('after-failover', {});
    await expect.poll(() => processedAt.has('after-failover'), { timeout: PROCESSED_WITHIN_MS }).toBe(true);
    console.info('BullMQ across a Sentinel failover:', {
      killToProcessedMs: (processedAt.get('after-failover') as number) - killedAt,
    });
  });

  it('resumes after an outage longer than drainDelay + 1 s, without a restart', async () => {
    // Sentinels that wait 9 s before calling the primary down make the outage last ~10 s.
    await group.setSentinelOption('down-after-milliseconds', '9000');
    const { node, killedAt } = await group.killPrimary();
    // Enqueued while there is no primary: held in the connection's offline queue, sent on reconnect.
    const addedDuringOutage = queue.add('during-outage', {});
    const promoted = await group.waitForNewPrimary(node, 60_000);
    const outageMs = Date.now() - killedAt;
    await group.setSentinelOption('down-after-milliseconds', '1000');
    expect(outageMs).toBeGreaterThan((DRAIN_DELAY_SECONDS + 1) * 1000);

    await queue.add('after-outage', {});
    await addedDuringOutage;
    await expect
      .poll(() => processedAt.has('after-outage') && processedAt.has('during-outage'), {
        timeout: PROCESSED_WITHIN_MS,
      })
      .toBe(true);
    console.info('BullMQ after a long outage:', {
      newPrimary: promoted.name,
      outageMs,
      killToProcessedMs: (processedAt.get('after-outage') as number) - killedAt,
    });
    expect(worker.isRunning()).toBe(true);
  });
});
