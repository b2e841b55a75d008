import { randomBytes } from 'node:crypto';
import { primariesOf, type RedisClient } from '@infer/redis';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export const testRedisUrl = (): string => inject('redisUrl');

/** A key prefix no other test uses. */
export const uniquePrefix = (label = 't'): string => `test-${label}-${randomBytes(4).toString('hex')}`;

export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}

/** Delete every key under `prefix:` (tests clean up after themselves), on every primary of a Cluster. */
export async function deletePrefix(redis: RedisClient, prefix: string): Promise<void> {
  for (const node of primariesOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      // One UNLINK per key: on a Cluster node the keys of one SCAN page span many slots.
      if (keys.length > 0) await Promise.all(keys.map((key) => node.unlink(key)));
    } while (cursor !== '0');
  }
}
