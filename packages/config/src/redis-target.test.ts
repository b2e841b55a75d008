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
