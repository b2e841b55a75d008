import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { RateLimitWindow } from './rate-limit-window.ts';

describe('RateLimitWindow (real Redis)', () => {
  const prefix = uniquePrefix('ratelimit');
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('counts each principal apart within one window, whose counter expires with it', async () => {
    const window = new RateLimitWindow(redis, prefix, 1000);
    const first = await window.hit('key:a');
    expect(first.count).toBe(1);
    expect(first.resetMs).toBeGreaterThan(0);
    expect(first.resetMs).toBeLessThanOrEqual(1000);
    expect((await window.hit('key:a')).count).toBe(2);
    expect((await window.hit('key:b')).count).toBe(1);
    expect(await redis.pttl(window.keys.rateLimit('key:a'))).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await window.hit('key:a')).count).toBe(1);
  });
});
