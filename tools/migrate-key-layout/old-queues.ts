import { Queue } from 'bullmq';
import type { MigrationContext } from './context.ts';
import { OLD_INFERENCE_QUEUE, OLD_WEBHOOK_QUEUE } from './old-layout.ts';

/** The old BullMQ queues present: each model's (found by its keys) and the webhooks queue. */
export interface OldQueues {
  models: string[];
  webhooks: boolean;
}

/** Whether any key matches `pattern` (a SCAN that stops at the first). */
async function anyKey(ctx: MigrationContext, pattern: string): Promise<boolean> {
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) return true;
    cursor = next;
  } while (cursor !== '0');
  return false;
}

/**
 * The old queues that still have keys. Models are read off the keys themselves
 * (`<prefix>:inference.<model>:...`), so a model since removed from MODEL_REPOSITORY is found too;
 * a queue with no key left has nothing to move (a finished run deleted it).
 */
export async function findOldQueues(ctx: MigrationContext): Promise<OldQueues> {
  const models = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', ctx.old.inferenceQueues, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const queue = ctx.old.queueOf(key);
      if (queue?.startsWith('inference.') && !queue.includes('{')) models.add(queue.slice('inference.'.length));
    }
  } while (cursor !== '0');
  const webhooks = await anyKey(ctx, ctx.old.webhookQueue);
  return { models: [...models].sort(), webhooks };
}

export const oldQueueNames = (queues: OldQueues): string[] => [
  ...queues.models.map(OLD_INFERENCE_QUEUE),
  ...(queues.webhooks ? [OLD_WEBHOOK_QUEUE] : []),
];

/** Jobs a worker holds now (or held when it died, until a stalled check hands them back). */
export const activeCount = (ctx: MigrationContext, queue: string): Promise<number> =>
  ctx.redis.llen(ctx.old.queueKey(queue, 'active'));

/**
 * Where BullMQ keeps jobs no worker has taken yet, and so what moves: its wait list (and the
 * `paused` list older BullMQ versions moved it to on pause), the prioritized and delayed sets,
 * and parents waiting for children (none of ours, read for completeness).
 */
const PENDING_LISTS = ['wait', 'paused'] as const;
const PENDING_SETS = ['prioritized', 'delayed', 'waiting-children'] as const;
const CHUNK = 1000;

/** The ids of a queue's pending jobs, each once. */
export async function pendingJobIds(ctx: MigrationContext, queue: string): Promise<string[]> {
  const ids = new Set<string>();
  // By rank: the keys do not change while they are read (the processes are stopped).
  const read = async (range: (start: number, stop: number) => Promise<string[]>) => {
    for (let start = 0; ; start += CHUNK) {
      const page = await range(start, start + CHUNK - 1);
      for (const id of page) ids.add(id);
      if (page.length < CHUNK) return;
    }
  };
  for (const state of PENDING_LISTS) {
    const key = ctx.old.queueKey(queue, state);
    await read((start, stop) => ctx.redis.lrange(key, start, stop));
  }
  for (const state of PENDING_SETS) {
    const key = ctx.old.queueKey(queue, state);
    await read((start, stop) => ctx.redis.zrange(key, start, String(stop)));
  }
  return [...ids];
}

/** The finished jobs BullMQ still keeps (history, dropped with the queue). */
export async function finishedCount(ctx: MigrationContext, queue: string): Promise<number> {
  const [completed, failed] = await Promise.all([
    ctx.redis.zcard(ctx.old.queueKey(queue, 'completed')),
    ctx.redis.zcard(ctx.old.queueKey(queue, 'failed')),
  ]);
  return completed + failed;
}

/** A BullMQ handle on an old queue, on the migration's connection; it writes nothing by being made (no meta update). */
export const oldQueue = (ctx: MigrationContext, name: string): Queue =>
  new Queue(name, { connection: ctx.redis, prefix: ctx.prefix, skipMetasUpdate: true });

/**
 * Delete an old queue, every key of it, once what it held is moved. Active jobs are checked
 * again first (preflight refused them; a worker started since would hold one): obliterate's
 * `force` then only makes it skip a check already made. A crash part way leaves some keys of
 * the queue, which a second run moves again (idempotently) and deletes.
 */
export async function obliterate(ctx: MigrationContext, name: string): Promise<void> {
  const active = await activeCount(ctx, name);
  if (active > 0) throw new Error(`${active} job(s) became active in the old queue "${name}": is a worker running?`);
  const queue = oldQueue(ctx, name);
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
