import { createHash } from 'node:crypto';
import { AppError } from '@infer/contracts';
import { JobStore, redisKeys } from '@infer/job-store';
import { newJobId } from '@infer/queues';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../../test/support/redis.ts';
import { Idempotency, type IdempotencyBinding } from './idempotency.ts';

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
    const work = async (binding: IdempotencyBinding) => {
      const run = ++runs;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await createBound(binding, { id: `job-${run}` });
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
    const work = async (binding: IdempotencyBinding) => {
      await createBound(binding, { id: 'retried' });
      return { id: 'retried' };
    };
    expect(await idempotency.run('dead', undefined, 'same', work)).toEqual({
      replayed: false,
      value: { id: 'retried' },
    });
    expect(await idempotency.run('dead', undefined, 'same', work)).toEqual({
      replayed: true,
      value: { id: 'retried' },
    });
  });

  it('binds the answer in the step that creates the job: a lost claim creates nothing', async () => {
    const keys = redisKeys(prefix);
    const idempotency = new Idempotency(redis, keys, { ttlSeconds: 60, pendingTtlSeconds: 1, waitMs: 3000 });
    const redisKey = keys.idempotency('-', createHash('sha256').update('lost').digest('hex'));
    const jobsBefore = (await redis.keys(`${prefix}:*:job:*`)).length;
    let id = '';
    const outcome = idempotency.run('lost', undefined, 'same', async (binding) => {
      // Meanwhile the claim expired and another request took the key.
      await redis.set(redisKey, JSON.stringify({ fingerprint: 'same', state: 'pending', token: 'other' }), 'EX', 60);
      id = await createBound(binding, { id: 'never' });
      return { id };
    });
    const error = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('idempotency_key_in_progress');
    expect(id).toBe('');
    expect((await redis.keys(`${prefix}:*:job:*`)).length).toBe(jobsBefore);
    // The other request's claim is untouched.
    expect(JSON.parse((await redis.get(redisKey)) as string)).toMatchObject({ token: 'other' });
  });

  /** Create one job as the API does, replacing the claim with `value` in the same script. */
  async function createBound(binding: IdempotencyBinding, value: unknown): Promise<string> {
    const store = new JobStore(redis, prefix, 60);
    const id = newJobId(Date.now(), store.shardForCreation(binding.key));
    await store.createMany([{ job: { id, model: 'm', createdAt: new Date() }, image: Uint8Array.from([1, 2, 3]) }], {
      idempotency: { ...binding, answer: binding.answer(value) },
    });
    return id;
  }
});
