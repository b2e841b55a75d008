import { type WorkerHeartbeat, workerHeartbeatSchema } from '@infer/contracts';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { type RedisKeys, redisKeys } from './keys.ts';

/**
 * Workers announce themselves every few seconds: a sorted set of worker ids by
 * last-seen time (cheap "any alive?" check) plus each worker's description.
 */
export class WorkerRegistry {
  private readonly keys: RedisKeys;

  private readonly redis: Redis;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.keys = redisKeys(prefix);
  }

  async beat(heartbeat: z.input<typeof workerHeartbeatSchema>, ttlMs: number): Promise<void> {
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(this.keys.workers, now, heartbeat.id)
      .set(this.keys.worker(heartbeat.id), JSON.stringify(heartbeat), 'PX', ttlMs)
      // Forget workers gone for long, so the set does not grow forever.
      .zremrangebyscore(this.keys.workers, 0, now - 10 * ttlMs)
      .exec();
  }

  async leave(id: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.workers, id).del(this.keys.worker(id)).exec();
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
