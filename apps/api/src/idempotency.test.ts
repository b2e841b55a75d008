import { createHash } from 'node:crypto';
import { redisKeys } from '@infer/job-store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { Idempotency } from './idempotency.ts';

describe('Idempotency (real Redis)', () => {
  let redis: Redis;
  const prefix = uniquePrefix('idem');
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('keeps its claim while the first request still works, however long: a late duplicate does not run the work again', async () => {
    const idempotency = new Idempotency(redis, redisKeys(prefix), {
      ttlSeconds: 60,
      pendingTtlSeconds: 1,
      waitMs: 10_000,
    });
    let runs = 0;
    const work = async () => {
      const run = ++runs;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      return { id: `job-${run}` };
    };
    const first = idempotency.run('slow-key', undefined, 'same', work);
    // Past the pending claim's TTL, while the first request is still at work.
    await new Promise((resolve) => setTimeout(resolve, 1800));
    const second = idempotency.run('slow-key', undefined, 'same', work);
    expect(await first).toEqual({ replayed: false, value: { id: 'job-1' } });
    expect(await second).toEqual({ replayed: true, value: { id: 'job-1' } });
    expect(runs).toBe(1);
  });

  it('frees a claim whose request died, within the pending TTL', async () => {
    const keys = redisKeys(prefix);
    const idempotency = new Idempotency(redis, keys, { ttlSeconds: 60, pendingTtlSeconds: 1, waitMs: 3000 });
    // A claim left by a process that died mid-request (nobody refreshes it).
    const redisKey = keys.idempotency('-', createHash('sha256').update('dead').digest('hex'));
    await redis.set(redisKey, JSON.stringify({ fingerprint: 'same', state: 'pending', token: 'x' }), 'EX', 1);
    expect(await idempotency.run('dead', undefined, 'same', async () => ({ id: 'retried' }))).toEqual({
      replayed: false,
      value: { id: 'retried' },
    });
  });
});
