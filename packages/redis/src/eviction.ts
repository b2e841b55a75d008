import type { Logger } from '@infer/logger';
import type { Redis } from 'ioredis';

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
