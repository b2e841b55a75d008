import type { Logger } from '@infer/logger';
import { isCluster, primariesOf, type RedisClient } from './client.ts';
import { waitReady } from './ready.ts';

/**
 * BullMQ loses jobs when Redis evicts keys: anything but `noeviction` is an error
 * worth shouting about at start-up (managed Redis often defaults to volatile-lru).
 */
export async function checkEvictionPolicy(redis: RedisClient, logger: Logger): Promise<string | undefined> {
  try {
    // On a Cluster each primary has its own setting: the first that is not noeviction is reported
    // (the primaries are known once the client is ready: it may still be learning the slot map).
    if (isCluster(redis)) await waitReady(redis);
    const policies = await Promise.all(
      primariesOf(redis).map(async (node) => ((await node.config('GET', 'maxmemory-policy')) as string[])[1]),
    );
    const policy = policies.find((each) => each !== 'noeviction') ?? policies[0];
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
