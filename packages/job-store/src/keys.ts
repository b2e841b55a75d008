import { slotOfKey, spreadTag } from '@infer/redis';

/**
 * The job store is split into this many shards, each under its own hash tag: a job's record,
 * payload, enqueue intent, deadline, owner-index entry, outbox events and event channel all
 * live in its shard's slot, so that every script of the job's lifecycle stays one atomic step
 * on one node, and a Redis Cluster spreads the shards over its primaries. A single Redis holds
 * all of them (one layout, one code path). Fixed, not a setting: a job's shard is written into
 * its id (storeShardOf), so the count cannot change under existing jobs; 16 shards spread over
 * up to 16 primaries.
 */
export const STORE_SHARDS = 16;

/** The hash tag of each shard: tags in 16 equal slot ranges, so equal-range primaries share them evenly. */
export const STORE_SHARD_TAGS: readonly string[] = Array.from({ length: STORE_SHARDS }, (_, shard) =>
  spreadTag(`s${shard}`, shard, STORE_SHARDS),
);

const SHARD_OF_TAG = new Map(STORE_SHARD_TAGS.map((tag, shard) => [tag, shard]));

/** The shard whose hash tag `key` carries (an Idempotency-Key record's, say); undefined for a key of no shard. */
export function storeShardOfKey(key: string): number | undefined {
  const tag = /\{([^}]*)\}/.exec(key)?.[1];
  return tag === undefined ? undefined : SHARD_OF_TAG.get(tag);
}

export const ALL_STORE_SHARDS: readonly number[] = STORE_SHARD_TAGS.map((_, shard) => shard);

/**
 * The shard of a job id (or of any hex digest): its last hex digit, which newJobId draws at
 * random or sets to a requested shard (a batch and its Idempotency-Key share one). Anything
 * not ending in a hex digit (no id of ours) gets a shard from its hash, so it still names one key.
 */
export function storeShardOf(id: string): number {
  const digit = Number.parseInt(id.slice(-1), 16);
  return Number.isNaN(digit) ? slotOfKey(id) % STORE_SHARDS : digit % STORE_SHARDS;
}

/** The keys and channel one shard holds besides its jobs' own. */
const shardKeys = (prefix: string, shard: number) => {
  const base = `${prefix}:{${STORE_SHARD_TAGS[shard]}}`;
  return {
    /**
     * Sorted set of job ids by creation time (epoch ms), written with each record: a job
     * whose BullMQ job never appeared (the API died in between) is enqueued from here.
     */
    enqueueIntents: `${base}:enqueue-intents`,
    /** Sorted set of job ids by Cancel-After deadline (epoch ms), swept by the API (deadlines.ts). */
    deadlines: `${base}:deadlines`,
    /** One owner's jobs (`-` without auth) of this shard by creation time, for `GET /v1/jobs` (merged over shards). */
    jobIndex: (owner: string) => `${base}:jobs-of:${owner}`,
    /** Transactional outbox of webhook events (stream), relayed by the dispatcher into the `webhooks` queue. */
    webhookOutbox: `${base}:webhook-outbox`,
    /** Sharded pub/sub (SPUBLISH): every state change of the shard's jobs. */
    jobEvents: `${base}:job-events`,
    /**
     * Sharded pub/sub: "the outbox has a new event", so the relay reads this shard now rather than
     * at its next poll. The outbox's name with `-wake` (scripts/includes/webhook-outbox.lua derives it so).
     */
    outboxWake: `${base}:webhook-outbox-wake`,
  };
};
export type ShardKeys = ReturnType<typeof shardKeys>;

/**
 * Every Redis key and channel of ours, next to BullMQ's under the same prefix. Each key that a
 * script or transaction uses together with others carries the hash tag of the group it belongs
 * to (a job-store shard, a file, a model's shadow statistics, the worker registry, the routing
 * policies); keys always used alone carry none, and a Cluster spreads them by their whole name.
 */
export const redisKeys = (prefix: string) => {
  const shards = ALL_STORE_SHARDS.map((shard) => shardKeys(prefix, shard));
  const jobBase = (id: string) => `${prefix}:{${STORE_SHARD_TAGS[storeShardOf(id)]}}:job:${id}`;
  return {
    /** The keys of one job-store shard (0..STORE_SHARDS-1). */
    shard: (shard: number): ShardKeys => shards[shard] as ShardKeys,
    /** The shard keys of a job's (or an Idempotency-Key digest's) shard. */
    shardOf: (id: string): ShardKeys => shards[storeShardOf(id)] as ShardKeys,
    shards: shards as readonly ShardKeys[],
    job: (id: string) => jobBase(id),
    image: (id: string) => `${jobBase(id)}:image`,
    workers: `${prefix}:{workers}:workers`,
    worker: (id: string) => `${prefix}:{workers}:worker:${id}`,
    /** An uploaded file's description (JSON) and its bytes (POST /v1/files), under the file's own tag. */
    file: (id: string) => `${prefix}:file:{${id}}`,
    fileContent: (id: string) => `${prefix}:file:{${id}}:content`,
    /**
     * Idempotency-Key record, scoped by owner ('-' without auth); `hash` is a hex digest of the
     * key, whose last digit names the shard its request's jobs are created in (one atomic step).
     */
    idempotency: (scope: string, hash: string) =>
      `${prefix}:{${STORE_SHARD_TAGS[storeShardOf(hash)]}}:idempotency:${scope}:${hash}`,
    /** Request counter of one principal's current rate-limit window (expires with the window). */
    rateLimit: (principal: string) => `${prefix}:ratelimit:${principal}`,
    /** An answer of the opt-in result cache: `name@version:<sha256 of the image>` (result-cache.ts). */
    resultCache: (key: string) => `${prefix}:result-cache:${key}`,
    /** A model's routing policy (JSON, model-routing.ts): default version, canary, shadow; read together (MGET). */
    modelRouting: (model: string) => `${prefix}:{model-routing}:${model}`,
    /** Pub/sub (broadcast): "look at the model repository now" for every worker (the admin reload call). */
    modelReload: `${prefix}:model-reload`,
    /** Shadow counters of one candidate for one minute (hash), and its latest latency samples (list). */
    shadowBucket: (model: string, candidate: string, minute: number) =>
      `${prefix}:{shadow.${model}}:${candidate}:${minute}`,
    shadowLatency: (model: string, candidate: string) => `${prefix}:{shadow.${model}}:${candidate}:latency`,
    /** Sorted set: a model's shadow candidates by when they last recorded anything (epoch ms). */
    shadowCandidates: (model: string) => `${prefix}:{shadow.${model}}:candidates`,
    /** Dead-lettered webhook deliveries (stream, capped), for inspection. */
    webhookDead: `${prefix}:webhook-dead`,
  };
};
export type RedisKeys = ReturnType<typeof redisKeys>;
