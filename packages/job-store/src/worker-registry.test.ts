import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdingWorkers } from '../../../test/support/holding-worker.ts';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { aliveWorkersKey, WorkerRegistry } from './worker-registry.ts';

/**
 * The locks of a dead worker's jobs, released for BullMQ's stalled check: with real BullMQ
 * workers holding real jobs, so the lock tokens are BullMQ's own, not written by hand.
 */
describe('WorkerRegistry: reclaiming the locks of dead BullMQ workers (real Redis, real BullMQ)', () => {
  const prefix = uniquePrefix('registry');
  const deadAfterMs = 1000;
  let redis: Redis;
  let registry: WorkerRegistry;
  let queue: Queue;
  let held: ReturnType<typeof holdingWorkers>;
  const holding = () => held.hold();

  const queueOf = () => ({ activeKey: queue.keys.active as string, keyPrefix: queue.toKey('') });
  const locked = (jobId: string) => held.locked(jobId);

  beforeAll(async () => {
    redis = testRedis();
    registry = new WorkerRegistry(redis, prefix);
    queue = new Queue('inference.m', { connection: testRedis(), prefix });
    held = holdingWorkers(queue, prefix);
    for (let i = 0; i < 3; i++) await queue.add('infer', { i });
  });
  afterAll(async () => {
    await held.releaseAll();
    await queue.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('releases only locks of workers stamped dead or not stamped for the dead-after time, never of unknown ones', async () => {
    const leaving = await holding();
    const silent = await holding();
    const unknown = await holding(); // never stamped: an older worker version, say
    await registry.stampQueueWorkers(
      [{ keyPrefix: queue.toKey(''), workerIds: [leaving.worker.id, silent.worker.id] }],
      deadAfterMs,
    );
    expect(await registry.reclaimDeadLocks(queueOf(), deadAfterMs)).toEqual([]);

    // A process leaving stamps its workers dead at once: what it could not release goes now.
    await registry.stampQueueWorkers(
      [{ keyPrefix: queue.toKey(''), workerIds: [leaving.worker.id] }],
      deadAfterMs,
      true,
    );
    expect(await registry.reclaimDeadLocks(queueOf(), deadAfterMs)).toEqual([leaving.jobId]);
    expect(await locked(leaving.jobId)).toBe(false);
    expect(await locked(silent.jobId)).toBe(true);

    // One stamped alive, then silent past the dead-after time (its process died).
    await new Promise((resolve) => setTimeout(resolve, deadAfterMs + 100));
    expect(await registry.reclaimDeadLocks(queueOf(), deadAfterMs)).toEqual([silent.jobId]);
    expect(await locked(silent.jobId)).toBe(false);
    expect(await locked(unknown.jobId)).toBe(true);
    expect(await registry.reclaimDeadLocks(queueOf(), deadAfterMs)).toEqual([]);
  });

  it('stamps by Redis clock and forgets workers gone for ten dead-after times', async () => {
    const key = aliveWorkersKey(queue.toKey(''));
    await redis.zadd(key, Date.now() - 11 * deadAfterMs, 'long-gone');
    await registry.stampQueueWorkers([{ keyPrefix: queue.toKey(''), workerIds: ['fresh'] }], deadAfterMs);
    const [time] = await redis.time();
    const fresh = Number(await redis.zscore(key, 'fresh'));
    expect(Math.abs(fresh - Number(time) * 1000)).toBeLessThan(2000);
    expect(await redis.zscore(key, 'long-gone')).toBeNull();
  });
});
