import { WorkerRegistry } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { startDeadWorkerReclaim } from '@infer/queues';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdingWorkers } from '../support/holding-worker.ts';
import { deletePrefix, testRedis, uniquePrefix } from '../support/redis.ts';

/**
 * When a process reclaims the jobs of dead ones (real Redis, real BullMQ workers holding
 * real jobs, the real registry): only after it has stamped itself alive without a gap for
 * the dead-after time, so that after a Redis outage live processes get to stamp first.
 */
describe('startDeadWorkerReclaim (real Redis, real BullMQ)', () => {
  const prefix = uniquePrefix('reclaim');
  const deadAfterMs = 900;
  let redis: Redis;
  let queue: Queue;
  let held: ReturnType<typeof holdingWorkers>;
  const holding = () => held.hold();
  const workers: Worker[] = [];
  const logger = createLogger({ name: 'test', level: 'silent', format: 'json' });

  const locked = (jobId: string) => held.locked(jobId);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    redis = testRedis();
    queue = new Queue('inference.m', { connection: testRedis(), prefix });
    held = holdingWorkers(queue, prefix);
    for (let i = 0; i < 2; i++) await queue.add('infer', { i });
  });
  afterAll(async () => {
    await held.releaseAll();
    await Promise.all(workers.map((worker) => worker.close(true)));
    await queue.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('reclaims a dead process’s locks only after stamping itself unbroken for the dead-after time, and again after a gap', async () => {
    const registry = new WorkerRegistry(redis, prefix);
    const dead = await holding();
    await registry.stampQueueWorkers([{ keyPrefix: dead.worker.toKey(''), workerIds: [dead.worker.id] }], deadAfterMs);
    await sleep(deadAfterMs + 100); // its process "died": no stamp since

    // The rescuer: its own BullMQ worker for the queue, and a registry whose stamps can be held up (an outage).
    const rescuer = new Worker(queue.name, null, { connection: testRedis(), prefix, autorun: false });
    workers.push(rescuer);
    let outage: Promise<void> | undefined;
    const flaky = {
      stampQueueWorkers: async (...args: Parameters<WorkerRegistry['stampQueueWorkers']>) => {
        await outage;
        return registry.stampQueueWorkers(...args);
      },
      reclaimDeadLocks: registry.reclaimDeadLocks.bind(registry),
    };
    const reclaimed: string[] = [];
    const reclaim = await startDeadWorkerReclaim({
      registry: flaky,
      workers: [rescuer],
      deadAfterMs,
      logger,
      onReclaimed: (_queue, ids) => reclaimed.push(...ids),
    });
    try {
      // Started just now: the dead worker's stamp is old, but the rescuer has not stamped for long itself.
      await sleep(deadAfterMs / 2);
      expect(await locked(dead.jobId)).toBe(true);
      await sleep(deadAfterMs + 400);
      expect(reclaimed).toEqual([dead.jobId]);
      expect(await locked(dead.jobId)).toBe(false);

      // A second job, its worker stamped alive; then a stretch in which no stamp reaches Redis.
      const live = await holding();
      await registry.stampQueueWorkers(
        [{ keyPrefix: live.worker.toKey(''), workerIds: [live.worker.id] }],
        deadAfterMs,
      );
      let resume: () => void = () => undefined;
      outage = new Promise((resolve) => {
        resume = resolve;
      });
      await sleep(deadAfterMs * 2);
      // Back: the live worker's stamp is old, but the rescuer's own stamps had a gap too, so it
      // waits; the live process, a moment slower to come back, stamps again meanwhile.
      outage = undefined;
      resume();
      await sleep(150);
      expect(await locked(live.jobId)).toBe(true);
      const stamping = setInterval(
        () =>
          void registry.stampQueueWorkers(
            [{ keyPrefix: live.worker.toKey(''), workerIds: [live.worker.id] }],
            deadAfterMs,
          ),
        deadAfterMs / 3,
      );
      try {
        await registry.stampQueueWorkers(
          [{ keyPrefix: live.worker.toKey(''), workerIds: [live.worker.id] }],
          deadAfterMs,
        );
        await sleep(deadAfterMs + 400);
        expect(await locked(live.jobId)).toBe(true);
        expect(reclaimed).toEqual([dead.jobId]);
      } finally {
        clearInterval(stamping);
      }
    } finally {
      await reclaim.stop();
    }
  });
});
