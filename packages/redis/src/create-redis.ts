import type { RedisTarget } from '@infer/contracts';
import { Redis, type RedisOptions } from 'ioredis';
import { type RedisRole, roleOptions } from './roles.ts';
import { sentinelOptionsOf } from './target.ts';

/**
 * A connection for `role` to `target`: a plain URL (`redis://`, `rediss://`) or a
 * RedisTarget (packages/config's `redisTargetOf(env)`), which with `sentinel` set follows
 * the primary the sentinels name across failovers. `extra` wins over everything.
 */
export function createRedis(target: RedisTarget | string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const { url, ...rest } = typeof target === 'string' ? { url: target } : target;
  return new Redis(url, { ...roleOptions(role), ...sentinelOptionsOf({ url, ...rest }), ...extra });
}
