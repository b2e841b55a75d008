/**
 * The previous release's key names (its packages/job-store/src/keys.ts, single Redis only), as
 * far as this migration reads them. Every new key that could match one of these patterns carries
 * a hash tag (`{`): a found key with a `{` is already of the new layout and is never touched.
 */

/** Redis glob metacharacters escaped (QUEUE_PREFIX allows none today; a pattern must not widen if it ever does). */
const globLiteral = (text: string): string => text.replace(/[*?[\]\\^]/g, (c) => `\\${c}`);

export const isNewLayout = (key: string): boolean => key.includes('{');

/** The old BullMQ queues: one per model, and the webhook deliveries'. */
export const OLD_INFERENCE_QUEUE = (model: string): string => `inference.${model}`;
export const OLD_WEBHOOK_QUEUE = 'webhooks';
/** The consumer group the old dispatcher read the outbox with (dropped with the old stream). */
export const OLD_RELAY_GROUP = 'relay';

export const oldLayout = (prefix: string) => {
  const p = `${prefix}:`;
  const glob = globLiteral(p);
  /** The text after `<prefix>:<head>` of a key that starts so, else undefined. */
  const after = (key: string, head: string): string | undefined =>
    key.startsWith(p + head) ? key.slice(p.length + head.length) : undefined;
  return {
    // Keys, one per job: the record (hash) and its image payload (string).
    jobs: `${glob}job:*`,
    job: (id: string) => `${p}job:${id}`,
    jobKeyOf: (key: string) => after(key, 'job:'),
    // Sorted sets of job ids (one key each in the old layout, one per shard in the new).
    enqueueIntents: `${p}enqueue-intents`,
    deadlines: `${p}deadlines`,
    jobIndexes: `${glob}jobs-of:*`,
    ownerOf: (key: string) => after(key, 'jobs-of:'),
    // Stream of webhook events, read by the old dispatcher's consumer group `relay`.
    webhookOutbox: `${p}webhook-outbox`,
    // Strings and shadow statistics, renamed one by one.
    idempotency: `${glob}idempotency:*`,
    idempotencyOf: (key: string) => after(key, 'idempotency:'),
    files: `${glob}file:*`,
    fileOf: (key: string) => after(key, 'file:'),
    modelRouting: `${glob}model-routing:*`,
    routedModelOf: (key: string) => after(key, 'model-routing:'),
    shadow: `${glob}shadow:*`,
    shadowOf: (key: string) => after(key, 'shadow:'),
    // The worker registry: descriptions of processes that are stopped now.
    workers: `${p}workers`,
    queueWorkers: `${p}queue-workers`,
    worker: `${glob}worker:*`,
    // Named alike in both layouts: left as they are.
    rateLimit: `${glob}ratelimit:*`,
    resultCache: `${glob}result-cache:*`,
    webhookDead: `${p}webhook-dead`,
    // BullMQ's keys of the old queues: `<prefix>:<queue name>:<suffix>`.
    inferenceQueues: `${glob}inference.*`,
    webhookQueue: `${glob}${OLD_WEBHOOK_QUEUE}:*`,
    queueKey: (queue: string, suffix: string) => `${p}${queue}:${suffix}`,
    queueOf: (key: string) => {
      const rest = after(key, '');
      const end = rest?.indexOf(':') ?? -1;
      return rest === undefined || end < 0 ? undefined : rest.slice(0, end);
    },
    everything: `${glob}*`,
  };
};
export type OldLayout = ReturnType<typeof oldLayout>;
