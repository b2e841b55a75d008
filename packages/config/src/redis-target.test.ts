import { describe, expect, it } from 'vitest';
import { loadEnv } from './env.ts';
import { parseRedisEndpoint, redisTargetOf } from './redis-target.ts';

describe('REDIS_SENTINELS and redisTargetOf', () => {
  it('is the plain URL when no sentinels are set', () => {
    expect(redisTargetOf(loadEnv({ REDIS_URL: 'redis://:pw@cache:6380/2' }))).toEqual({
      url: 'redis://:pw@cache:6380/2',
    });
  });

  it('parses host:port, hostnames, bracketed IPv6 and a default port of 26379', () => {
    const env = loadEnv({ REDIS_SENTINELS: ' 10.0.0.1:26380, sentinel-b.internal ,[::1]:26379,[fd00::5]' });
    expect(env.REDIS_SENTINELS).toEqual([
      { host: '10.0.0.1', port: 26380 },
      { host: 'sentinel-b.internal', port: 26379 },
      { host: '::1', port: 26379 },
      { host: 'fd00::5', port: 26379 },
    ]);
    expect(env.REDIS_SENTINEL_NAME).toBe('mymaster');
  });

  it('refuses malformed addresses at start-up, naming each', () => {
    expect(() => loadEnv({ REDIS_SENTINELS: '10.0.0.1:99999,::1:26379,ok:1,[10.0.0.1]:5' })).toThrow(
      /REDIS_SENTINELS=.*"10\.0\.0\.1:99999": expected host:port.*"::1:26379": expected host:port.*"\[10\.0\.0\.1\]:5": expected host:port/,
    );
    expect(parseRedisEndpoint('host:0')).toBeUndefined();
    expect(parseRedisEndpoint('a b:1')).toBeUndefined();
    expect(() => loadEnv({ REDIS_SENTINEL_NAME: 'has space' })).toThrow(/REDIS_SENTINEL_NAME/);
  });

  it("uses REDIS_URL's credentials for the sentinels too, and its scheme for their TLS", () => {
    const env = loadEnv({
      REDIS_URL: 'rediss://app:s%40cret@ignored:1/3',
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_NAME: 'queues',
    });
    expect(redisTargetOf(env)).toEqual({
      url: 'rediss://app:s%40cret@ignored:1/3',
      sentinel: {
        name: 'queues',
        addresses: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
        username: 'app',
        password: 's@cret',
        tls: true,
      },
    });
  });

  it('takes REDIS_SENTINEL_USERNAME/PASSWORD as a pair, and REDIS_SENTINEL_TLS over the scheme', () => {
    const onlyPassword = redisTargetOf(
      loadEnv({
        REDIS_URL: 'rediss://app:data-pw@x',
        REDIS_SENTINELS: 's1',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
        REDIS_SENTINEL_TLS: 'false',
      }),
    );
    expect(onlyPassword.sentinel).toEqual({
      name: 'mymaster',
      addresses: [{ host: 's1', port: 26379 }],
      password: 'sentinel-pw',
      tls: false,
    });
    const noCredentials = redisTargetOf(loadEnv({ REDIS_SENTINELS: 's1' }));
    expect(noCredentials.sentinel).toEqual({
      name: 'mymaster',
      addresses: [{ host: 's1', port: 26379 }],
      tls: false,
    });
  });
});

describe('REDIS_CLUSTER_NODES and redisTargetOf', () => {
  it('makes a Cluster target from seed nodes (port default 6379), with REDIS_URL for credentials and TLS', () => {
    const env = loadEnv({
      REDIS_URL: 'rediss://app:pw@unused.invalid:6379',
      REDIS_CLUSTER_NODES: 'node-a:7000, node-b ,[fd00::7]:7002',
    });
    expect(redisTargetOf(env)).toEqual({
      url: 'rediss://app:pw@unused.invalid:6379',
      cluster: {
        nodes: [
          { host: 'node-a', port: 7000 },
          { host: 'node-b', port: 6379 },
          { host: 'fd00::7', port: 7002 },
        ],
      },
    });
  });

  it('refuses a Cluster with sentinels, or with a database other than 0, naming each setting', () => {
    expect(() => loadEnv({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:26379' })).toThrow(
      /REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one/,
    );
    expect(() => loadEnv({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://x:6379/2' })).toThrow(/database 0 only/);
    expect(loadEnv({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://x:6379/0' }).REDIS_CLUSTER_NODES).toHaveLength(
      1,
    );
    expect(() => loadEnv({ REDIS_CLUSTER_NODES: 'a:7000,b:99999' })).toThrow(/"b:99999": expected host:port/);
  });

  it('refuses a {hash tag} in QUEUE_PREFIX (the keys carry their own), and QUEUE_SHARDS outside 1..64', () => {
    expect(() => loadEnv({ QUEUE_PREFIX: '{infer}' })).toThrow(/QUEUE_PREFIX.*no \{hash tag\}/);
    expect(loadEnv({}).QUEUE_SHARDS).toBe(1);
    expect(loadEnv({ QUEUE_SHARDS: '3' }).QUEUE_SHARDS).toBe(3);
    expect(() => loadEnv({ QUEUE_SHARDS: '0' })).toThrow(/QUEUE_SHARDS/);
  });
});
