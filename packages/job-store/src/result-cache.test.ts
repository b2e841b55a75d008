import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { redisKeys } from './keys.ts';
import { ResultCache } from './result-cache.ts';

describe('ResultCache (real Redis)', () => {
  const prefix = uniquePrefix('cache');
  let redis: Redis;
  let cache: ResultCache;
  const answer = { predictions: [{ label: 'rust', score: 0.9 }], executionProvider: 'cpu' };

  beforeAll(() => {
    redis = testRedis();
    cache = new ResultCache(redis, redisKeys(prefix), 30);
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('keys by model version and the bytes, stores with the TTL, and reads back', async () => {
    const bytes = Uint8Array.from([1, 2, 3]);
    const key = cache.keyOf('m@1', bytes);
    expect(key).toBe(cache.keyOf('m@1', Uint8Array.from([1, 2, 3])));
    expect(key).not.toBe(cache.keyOf('m@2', bytes));
    expect(key).not.toBe(cache.keyOf('m@1', Uint8Array.from([1, 2, 4])));
    expect(await cache.get(key)).toBeNull();
    await cache.set(key, answer);
    expect(await cache.get(key)).toEqual(answer);
    const ttl = await redis.ttl(`${prefix}:result-cache:${key}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('takes an entry it cannot read as a miss', async () => {
    await redis.set(`${prefix}:result-cache:m@1:bad`, JSON.stringify({ predictions: 'nope' }));
    expect(await cache.get('m@1:bad')).toBeNull();
  });
});
