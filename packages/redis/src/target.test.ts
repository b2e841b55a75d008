import type { RedisTarget } from '@infer/contracts';
import { describe, expect, it } from 'vitest';
import { createRedis } from './create-redis.ts';
import { describeRedisTarget, sentinelOptionsOf } from './target.ts';

const group: RedisTarget = {
  url: 'rediss://app:pw@unused/2',
  sentinel: {
    name: 'queues',
    addresses: [
      { host: '10.0.0.1', port: 26379 },
      { host: '::1', port: 26380 },
    ],
    password: 'sentinel-pw',
    tls: false,
  },
};

describe('Sentinel connection options', () => {
  it('adds none for a plain URL', () => {
    expect(sentinelOptionsOf({ url: 'redis://127.0.0.1:6379' })).toEqual({});
  });

  it('asks the sentinels for the master, with TLS to the data nodes only when the URL says rediss:', () => {
    const options = sentinelOptionsOf(group);
    expect(options).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'queues',
      role: 'master',
      sentinelPassword: 'sentinel-pw',
      sentinelTLS: undefined,
      enableTLSForSentinelMode: true,
      failoverDetector: false,
    });
    // Bounded and never giving up: null would end the connection for good.
    const retry = options.sentinelRetryStrategy as (attempt: number) => number;
    expect([1, 5, 1000].map(retry)).toEqual([100, 500, 1000]);
    expect(sentinelOptionsOf({ ...group, url: 'redis://x' }).enableTLSForSentinelMode).toBe(false);
  });

  it('gives createRedis the URL credentials and database, the role options and the sentinels', () => {
    const redis = createRedis(group, 'producer', { lazyConnect: true });
    expect(redis.options).toMatchObject({
      username: 'app',
      password: 'pw',
      db: 2,
      enableOfflineQueue: false,
      name: 'queues',
      sentinelPassword: 'sentinel-pw',
    });
    redis.disconnect();
  });

  it('describes a target for logs without its passwords', () => {
    expect(describeRedisTarget(group)).toBe('sentinel group "queues" via 10.0.0.1:26379,[::1]:26380 (database 2, TLS)');
    expect(describeRedisTarget('redis://app:pw@cache:6380/1')).toBe('redis://app:***@cache:6380/1');
  });
});
