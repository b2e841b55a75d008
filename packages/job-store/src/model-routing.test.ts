import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { ModelRoutingStore, routeJob } from './model-routing.ts';
import { ShadowStatsStore } from './shadow-stats.ts';

describe('routeJob', () => {
  const policy = {
    default_version: '1',
    canary: { version: '2', percent: 20 },
    shadow: { version: '3', percent: 50 },
  };

  it('keeps a pinned version, leaves unpinned jobs to the newest without a policy', () => {
    expect(routeJob(policy, '7')).toEqual({ version: '7', route: 'pinned' });
    expect(routeJob(null, undefined)).toEqual({ version: undefined, route: 'newest' });
  });

  it('sends the canary its share, the rest to the default, and marks the shadow share', () => {
    // The first draw picks the canary (below 20 %), the second the shadow (below 50 %).
    const draws =
      (...values: number[]) =>
      () =>
        values.shift() as number;
    expect(routeJob(policy, undefined, draws(0.1, 0.9))).toEqual({ version: '2', route: 'canary' });
    expect(routeJob(policy, undefined, draws(0.2, 0.4))).toEqual({ version: '1', route: 'default', shadow: '3' });
    // A job answered by the shadow version itself is not shadowed.
    const self = { ...policy, canary: null, shadow: { version: '1', percent: 100 } };
    expect(routeJob(self, undefined, draws(0, 0))).toEqual({ version: '1', route: 'default' });
  });
});

describe('ModelRoutingStore and ShadowStatsStore (real Redis)', () => {
  const prefix = uniquePrefix('routing');
  let redis: Redis;

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('stores, reads in one round trip and removes a policy', async () => {
    const store = new ModelRoutingStore(redis, prefix);
    const routing = { default_version: '2', canary: null, shadow: { version: '3', percent: 100 } };
    await store.put('a', routing);
    expect(await store.get('a')).toEqual(routing);
    expect(await store.getMany(['a', 'b', 'a'])).toEqual(
      new Map([
        ['a', routing],
        ['b', null],
      ]),
    );
    await store.put('a', null);
    expect(await store.get('a')).toBeNull();
  });

  it('sums comparisons, errors and drops of a candidate, with latency quantiles', async () => {
    const stats = new ShadowStatsStore(redis, prefix, 300);
    for (let i = 0; i < 10; i++) {
      await stats.recordComparison('m', '2', {
        agreed: i < 7,
        meanAbsScoreDiff: 0.1,
        primaryMs: i + 1,
        candidateMs: 2 * (i + 1),
      });
    }
    await stats.count('m', '2', 'candidate_errors');
    await stats.count('m', '2', 'primary_errors');
    await stats.count('m', '2', 'dropped');
    await stats.count('m', '2', 'dropped');
    const [candidate, ...others] = await stats.read('m');
    expect(others).toEqual([]);
    expect(candidate).toMatchObject({
      candidate: '2',
      window_seconds: 300,
      compared: 10,
      top1_agreement: 0.7,
      latency_ms: { primary: { p50: 5, p95: 10 }, candidate: { p50: 10, p95: 20 } },
      errors: { primary: 1, candidate: 1 },
      dropped: 2,
    });
    expect(candidate?.mean_abs_score_diff).toBeCloseTo(0.1, 9);
    expect(await stats.read('other')).toEqual([]);
  });
});
