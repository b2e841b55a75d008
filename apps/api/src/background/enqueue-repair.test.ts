import { JobStore } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { enqueuedOf, InferenceQueues, newJobId } from '@infer/queues';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../../test/support/redis.ts';
import { EnqueueRepair } from './enqueue-repair.ts';

describe('EnqueueRepair (real Redis, real BullMQ queues)', () => {
  const prefix = uniquePrefix('repair');
  const logger = createLogger({ name: 'test', level: 'silent' });
  let redis: Redis;
  let store: JobStore;
  let queues: InferenceQueues;
  let repair: EnqueueRepair;

  beforeAll(() => {
    redis = testRedis();
    store = new JobStore(redis, prefix, 3600);
    queues = new InferenceQueues(redis, prefix, ['m']);
    repair = new EnqueueRepair(store, queues, logger, { graceMs: 2000, intervalMs: 1000, attempts: 2, batchSize: 2 });
  });
  afterAll(async () => {
    await queues.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const stored = async (fields: { cancelAt?: Date; priority?: number } = {}) => {
    const job = { id: newJobId(), model: 'm', requestId: 'req-9', createdAt: new Date(), version: '1', ...fields };
    await store.createMany([{ job, image: Uint8Array.from([1, 2, 3]) }]);
    return job;
  };

  it('enqueues a stored job whose BullMQ job never appeared, with the data the API would have given it', async () => {
    const cancelAt = new Date(Date.now() + 60_000);
    const orphan = await stored({ cancelAt, priority: 7 });
    // Younger than the grace period: a live API may still be enqueueing it.
    expect(await repair.sweep(Date.now())).toBe(0);
    expect(await queues.get('m', orphan.id).getJob(orphan.id)).toBeUndefined();

    expect(await repair.sweep(Date.now() + 5000)).toBe(1);
    const job = await queues.get('m', orphan.id).getJob(orphan.id);
    expect(job?.data).toEqual({
      jobId: orphan.id,
      model: 'm',
      version: '1',
      requestId: 'req-9',
      cancelAt: cancelAt.getTime(),
      enqueuedAt: orphan.createdAt.getTime(),
    });
    expect(job?.opts).toMatchObject({ attempts: 2, priority: 101 - 7 });
    // Its intent is gone: the next sweep finds nothing to do.
    expect(await redis.zscore(store.keys.shardOf(orphan.id).enqueueIntents, orphan.id)).toBeNull();
    expect(await repair.sweep(Date.now() + 5000)).toBe(0);
  });

  it('leaves enqueued, canceled and vanished jobs alone and drops their intents, in batches', async () => {
    const enqueued = await stored();
    await queues.enqueueMany([enqueuedOf({ ...enqueued, priority: 0 })], { attempts: 1 });
    const canceled = await stored();
    await store.apply('cancel', canceled.id);
    const vanished = await stored();
    await redis.del(store.keys.job(vanished.id));
    const orphans = [await stored(), await stored(), await stored()];

    expect(await repair.sweep(Date.now() + 5000)).toBe(3);
    for (const orphan of orphans) expect(await queues.get('m', orphan.id).getJob(orphan.id)).toBeDefined();
    expect(await queues.get('m', canceled.id).getJob(canceled.id)).toBeUndefined();
    expect(await queues.get('m', vanished.id).getJob(vanished.id)).toBeUndefined();
    // The first test's orphan, the one enqueued by hand, the three repaired: nothing added twice.
    expect(await queues.shardsOf('m')[0]?.getJobCounts('prioritized')).toEqual({ prioritized: 5 });
    expect(
      await Promise.all(store.keys.shards.map((shard) => redis.zcard(shard.enqueueIntents))).then((cards) =>
        cards.reduce((a, b) => a + b, 0),
      ),
    ).toBe(0);
  });
});
