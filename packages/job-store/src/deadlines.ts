import type { RedisClient } from '@infer/redis';
import type { JobStore } from './job-store.ts';
import { JOB_FIELDS } from './record/job-record.ts';

/**
 * Cancel-After in one place (after trigger.dev's ttlSystem): the index of deadlines,
 * a sorted set of job ids by deadline per job-store shard that scripts/create-jobs.lua
 * writes with each record, and one verb, `expireIfDue`, which the API's sweeper, a read of the job
 * and the worker about to start it all call. Expiry itself is the lifecycle's
 * `expire` (queued -> canceled, deadline_exceeded), atomic against `start`.
 */
export class Deadlines {
  private readonly store: JobStore;
  private readonly redis: RedisClient;

  constructor(store: JobStore, redis: RedisClient) {
    this.store = store;
    this.redis = redis;
  }

  /** Jobs whose deadline has passed by `now`, earliest first within each shard, at most `limit` per shard. */
  async due(now: number, limit: number): Promise<string[]> {
    const perShard = await Promise.all(
      this.store.keys.shards.map(({ deadlines }) =>
        this.redis.zrangebyscore(deadlines, '-inf', now, 'LIMIT', 0, limit),
      ),
    );
    return perShard.flat();
  }

  /**
   * Expire the job if it is still queued and its deadline has passed. `expired` is
   * true when this call did it (`model` says which queue to drop it from). Once due,
   * the job leaves the index whatever happened: expired here, or already started,
   * finished or gone, it can never be due again.
   */
  async expireIfDue(id: string, now = Date.now()): Promise<{ expired: boolean; model?: string }> {
    const [cancelAt, model] = await this.redis.hmget(
      this.store.keys.job(id),
      JOB_FIELDS.cancelAt.name,
      JOB_FIELDS.model.name,
    );
    if (cancelAt && Date.parse(cancelAt) > now) return { expired: false };
    const outcome = cancelAt
      ? await this.store.apply('expire', id, { completed_at: new Date(now).toISOString() })
      : { applied: false };
    await this.redis.zrem(this.store.keys.shardOf(id).deadlines, id);
    return outcome.applied ? { expired: true, model: model ?? undefined } : { expired: false };
  }
}
