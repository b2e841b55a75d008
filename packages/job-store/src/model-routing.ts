import { type ModelRouting, modelRoutingSchema } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import { type RedisKeys, redisKeys } from './keys.ts';

/**
 * Each model's routing policy, one JSON value in Redis. The API reads it at every
 * submission (one GET, batched with the model's other reads): a PUT on any replica
 * routes the next job on every replica, with no cache to invalidate.
 */
export class ModelRoutingStore {
  private readonly keys: RedisKeys;
  private readonly redis: RedisClient;

  constructor(redis: RedisClient, prefix: string) {
    this.redis = redis;
    this.keys = redisKeys(prefix);
  }

  async get(model: string): Promise<ModelRouting | null> {
    const raw = await this.redis.get(this.keys.modelRouting(model));
    if (!raw) return null;
    const parsed = modelRoutingSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  /** The policies of several models in one round trip (a batch submission). */
  async getMany(models: readonly string[]): Promise<Map<string, ModelRouting | null>> {
    const unique = [...new Set(models)];
    if (unique.length === 0) return new Map();
    const values = await this.redis.mget(...unique.map((model) => this.keys.modelRouting(model)));
    return new Map(
      unique.map((model, i) => {
        const raw = values[i];
        const parsed = raw ? modelRoutingSchema.safeParse(JSON.parse(raw)) : undefined;
        return [model, parsed?.success ? parsed.data : null];
      }),
    );
  }

  /** Replace the policy; null removes it (the newest version serves unpinned jobs again). */
  async put(model: string, routing: ModelRouting | null): Promise<void> {
    if (routing) await this.redis.set(this.keys.modelRouting(model), JSON.stringify(routing));
    else await this.redis.del(this.keys.modelRouting(model));
  }

  /** Ask every worker to look at the model repository now (they also poll it). Answers how many heard it. */
  requestReload(): Promise<number> {
    return this.redis.publish(this.keys.modelReload, 'reload');
  }
}

/**
 * The version an unpinned job runs under `routing`, and why: the canary for its share
 * (chosen at random per job), else the default; undefined without a policy (the worker's
 * newest version serves). A job that names a version keeps it.
 */
export function routeJob(
  routing: ModelRouting | null,
  pinned: string | undefined,
  random: () => number = Math.random,
): { version: string | undefined; route: 'pinned' | 'default' | 'canary' | 'newest'; shadow?: string } {
  if (pinned !== undefined) return { version: pinned, route: 'pinned' };
  if (!routing) return { version: undefined, route: 'newest' };
  const { canary, shadow } = routing;
  const version =
    canary && canary.percent > 0 && random() * 100 < canary.percent ? canary.version : routing.default_version;
  const route = version === routing.default_version ? 'default' : 'canary';
  const shadowed = shadow && shadow.version !== version && shadow.percent > 0 && random() * 100 < shadow.percent;
  return shadowed ? { version, route, shadow: shadow.version } : { version, route };
}
