/** Every Redis key and channel of ours, next to BullMQ's under the same prefix. */
export const redisKeys = (prefix: string) => ({
  job: (id: string) => `${prefix}:job:${id}`,
  image: (id: string) => `${prefix}:job:${id}:image`,
  workers: `${prefix}:workers`,
  worker: (id: string) => `${prefix}:worker:${id}`,
  /**
   * Sorted set: each BullMQ worker's id (the first part of its lock tokens) -> when its
   * process last beat, by Redis's clock; a dead process's locks are reclaimed from it.
   */
  queueWorkers: `${prefix}:queue-workers`,
  jobEvents: `${prefix}:job-events`,
  /**
   * Sorted set of job ids by creation time (epoch ms), written with each record: a job
   * whose BullMQ job never appeared (the API died in between) is enqueued from here.
   */
  enqueueIntents: `${prefix}:enqueue-intents`,
  /** An uploaded file's description (JSON) and its bytes (POST /v1/files). */
  file: (id: string) => `${prefix}:file:${id}`,
  fileContent: (id: string) => `${prefix}:file:${id}:content`,
  /** One owner's jobs (`-` without auth) by creation time, for `GET /v1/jobs`; trimmed to the records' TTL. */
  jobIndex: (owner: string) => `${prefix}:jobs-of:${owner}`,
  /** Sorted set of job ids by Cancel-After deadline (epoch ms), swept by the API (deadlines.ts). */
  deadlines: `${prefix}:deadlines`,
  /** Idempotency-Key record, scoped by owner ('-' without auth); `hash` is a digest of the key. */
  idempotency: (scope: string, hash: string) => `${prefix}:idempotency:${scope}:${hash}`,
  /** Request counter of one principal's current rate-limit window (expires with the window). */
  rateLimit: (principal: string) => `${prefix}:ratelimit:${principal}`,
  /** Transactional outbox of webhook events (stream), relayed by the dispatcher into the `webhooks` queue. */
  webhookOutbox: `${prefix}:webhook-outbox`,
  /** An answer of the opt-in result cache: `name@version:<sha256 of the image>` (result-cache.ts). */
  resultCache: (key: string) => `${prefix}:result-cache:${key}`,
  /** A model's routing policy (JSON, model-routing.ts): default version, canary, shadow. */
  modelRouting: (model: string) => `${prefix}:model-routing:${model}`,
  /** Pub/sub: "look at the model repository now" for every worker (the admin reload call). */
  modelReload: `${prefix}:model-reload`,
  /** Shadow counters of one candidate for one minute (hash), and its latest latency samples (list). */
  shadowBucket: (model: string, candidate: string, minute: number) =>
    `${prefix}:shadow:${model}:${candidate}:${minute}`,
  shadowLatency: (model: string, candidate: string) => `${prefix}:shadow:${model}:${candidate}:latency`,
  /** Sorted set: a model's shadow candidates by when they last recorded anything (epoch ms). */
  shadowCandidates: (model: string) => `${prefix}:shadow:${model}:candidates`,
  /** Dead-lettered webhook deliveries (stream, capped), for inspection. */
  webhookDead: `${prefix}:webhook-dead`,
});
export type RedisKeys = ReturnType<typeof redisKeys>;
