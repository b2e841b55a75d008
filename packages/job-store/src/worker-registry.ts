import { type WorkerHeartbeat, workerHeartbeatSchema } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import type { z } from 'zod';
import { type RedisKeys, redisKeys } from './keys.ts';
import { type ScriptCommands, scriptsOf } from './scripts/scripts.ts';

/**
 * Sorted set of one queue: each BullMQ worker's id (the first part of its lock tokens) -> when
 * its process last beat, by Redis's clock. Under the queue's key prefix (`<prefix>:{<queue>}:`),
 * so in its hash slot with its active list and locks.
 */
export const aliveWorkersKey = (queueKeyPrefix: string): string => `${queueKeyPrefix}alive-workers`;

/** Entries of workers gone for this many TTLs are dropped, so the sets do not grow forever. */
const FORGET_AFTER_TTLS = 10;

/**
 * Workers announce themselves every few seconds: a sorted set of worker ids by
 * last-seen time (cheap "any alive?" check) plus each worker's description; and the
 * ids of their BullMQ workers, by which the locks of a dead one are found and reclaimed.
 */
export class WorkerRegistry {
  private readonly keys: RedisKeys;

  private readonly redis: RedisClient;

  private readonly scripts: ScriptCommands;

  constructor(redis: RedisClient, prefix: string) {
    this.redis = redis;
    this.keys = redisKeys(prefix);
    this.scripts = scriptsOf(redis);
  }

  async beat(heartbeat: z.input<typeof workerHeartbeatSchema>, ttlMs: number): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(this.keys.workers, now, heartbeat.id)
      .set(this.keys.worker(heartbeat.id), JSON.stringify(heartbeat), 'PX', ttlMs)
      .zremrangebyscore(this.keys.workers, 0, now - FORGET_AFTER_TTLS * ttlMs)
      .exec();
  }

  async leave(id: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.workers, id).del(this.keys.worker(id)).exec();
  }

  /**
   * Stamp this process's BullMQ workers (their ids begin their lock tokens) as alive now,
   * or, when it leaves, as dead already: a lock it could not release (a drain forced to
   * close) is then reclaimed at once rather than at its expiry. Each queue keeps its own
   * stamps, beside its locks in its slot (aliveWorkersKey), so that the reclaim is one script.
   */
  async stampQueueWorkers(
    queues: readonly { keyPrefix: string; workerIds: readonly string[] }[],
    deadAfterMs: number,
    leaving = false,
  ): Promise<void> {
    await Promise.all(
      queues
        .filter(({ workerIds }) => workerIds.length > 0)
        .map(({ keyPrefix, workerIds }) =>
          this.scripts.beatQueueWorkers(
            aliveWorkersKey(keyPrefix),
            String(leaving ? deadAfterMs + 1 : 0),
            String(FORGET_AFTER_TTLS * deadAfterMs),
            ...workerIds,
          ),
        ),
    );
  }

  /**
   * Delete the lock of every active job of one queue held by a BullMQ worker not stamped
   * for `deadAfterMs` (its process died), so that BullMQ's next stalled check hands the
   * job to a live worker instead of after the lock expires. Answers the jobs' ids.
   */
  async reclaimDeadLocks(queue: { activeKey: string; keyPrefix: string }, deadAfterMs: number): Promise<string[]> {
    return this.scripts.reclaimDeadLocks(
      aliveWorkersKey(queue.keyPrefix),
      queue.activeKey,
      queue.keyPrefix,
      String(deadAfterMs),
    );
  }

  /** Workers seen within the last `ttlMs` that take jobs (models loaded, not draining). */
  async alive(ttlMs: number): Promise<WorkerHeartbeat[]> {
    return (await this.seen(ttlMs)).filter((worker) => worker.state === 'ready');
  }

  /** Every worker seen within the last `ttlMs`, whatever its state. */
  async seen(ttlMs: number): Promise<WorkerHeartbeat[]> {
    const ids = await this.redis.zrangebyscore(this.keys.workers, Date.now() - ttlMs, '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    return values.flatMap((value) => {
      if (!value) return [];
      const parsed = workerHeartbeatSchema.safeParse(JSON.parse(value));
      return parsed.success ? [parsed.data] : [];
    });
  }
}
