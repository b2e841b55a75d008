import type { Redis } from 'ioredis';
import { isCluster, nodeOfKey, type RedisClient } from './client.ts';

/**
 * Replies by which a Cluster node refuses a command before running it: the slot is served
 * elsewhere (MOVED, ASK), is being failed over (CLUSTERDOWN, TRYAGAIN), or the node is a
 * replica now (READONLY). Inside MULTI the refusal comes as the command is queued and EXEC
 * then aborts, so nothing of the transaction ran and it can be sent again to the new owner.
 */
const REFUSED_BEFORE_RUNNING = /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

/** How long a write waits for a slot's new owner during a Cluster failover (one takes 3-5 s here). */
const OWNER_WAIT_MS = 8000;

/** No primary serves the slot now (the Cluster is failing over, or unreachable). */
export class SlotOwnerUnavailableError extends Error {
  constructor(key: string) {
    super(`no Redis Cluster primary serves the slot of ${key} now`);
    this.name = 'SlotOwnerUnavailableError';
  }
}

/**
 * Run `work` on the connection of the primary that owns `key`'s slot (the client itself when
 * it is one server). On a Cluster: when no ready primary is known for the slot, or the one
 * asked refuses before running anything (see REFUSED_BEFORE_RUNNING), the slot map is
 * refreshed and `work` runs again on the new owner, for up to OWNER_WAIT_MS. Any other
 * failure (a connection that breaks after the command was sent) is thrown: whether it ran is
 * unknown, and only the caller knows whether running it again is safe.
 */
export async function onSlotOwner<T>(client: RedisClient, key: string, work: (node: Redis) => Promise<T>): Promise<T> {
  if (!isCluster(client)) return work(client);
  const deadline = performance.now() + OWNER_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    const node = nodeOfKey(client, key);
    // A Cluster client connects to a node on its first command through the client (lazily): connect it here.
    if (node?.status === 'wait') await node.connect().catch(() => undefined);
    if (node?.status === 'ready') {
      try {
        return await work(node);
      } catch (error) {
        if (!REFUSED_BEFORE_RUNNING.test((error as Error).message ?? '')) throw error;
        if (performance.now() >= deadline) throw error;
      }
    } else if (performance.now() >= deadline) {
      throw new SlotOwnerUnavailableError(key);
    }
    client.refreshSlotsCache();
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 500)));
  }
}
