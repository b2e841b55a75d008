import type { Logger } from '@infer/logger';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * - producer: the API's connection. Fails fast while Redis is down
 *   (no offline queue), so a request answers 503 at once instead of hanging.
 * - worker: BullMQ Worker/blocking connections; must retry forever
 *   (`maxRetriesPerRequest: null`, required by BullMQ).
 * - subscriber: pub/sub listener; retries forever too.
 */
export type RedisRole = 'producer' | 'worker' | 'subscriber';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    connectionName: `infer-${role}`,
    enableReadyCheck: true,
    ...(role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null }),
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...extra,
  };
  return new Redis(url, options);
}

/** Wait until a connection is ready (producers created with enableOfflineQueue: false need this first). */
export function waitReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/**
 * BullMQ loses jobs when Redis evicts keys: anything but `noeviction` is an error
 * worth shouting about at start-up (managed Redis often defaults to volatile-lru).
 */
export async function checkEvictionPolicy(redis: Redis, logger: Logger): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      logger.error(
        { maxmemoryPolicy: policy },
        `Redis maxmemory-policy is "${policy}": queued jobs can be evicted and lost; set it to "noeviction"`,
      );
    }
    return policy;
  } catch (error) {
    // Managed services may forbid CONFIG; say so instead of failing.
    logger.warn({ err: error }, 'could not read Redis maxmemory-policy (CONFIG GET refused?)');
    return undefined;
  }
}

/** Close without waiting on a dead server. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 1000))]);
  } catch {
    // already closing or closed
  }
  redis.disconnect();
}
