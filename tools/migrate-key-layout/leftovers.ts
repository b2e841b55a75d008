import { type KindCount, type MigrationContext, scanOld } from './context.ts';

/**
 * The old worker registry: each worker's description (expiring by itself), the set of workers
 * by last beat, and the set of BullMQ worker ids by last beat (replaced by one set per queue
 * beside its locks). They describe processes that are stopped now, the new release reads
 * none of them and the two sets have no TTL: deleted. New workers register on start.
 */
export async function deleteWorkerRegistry(ctx: MigrationContext): Promise<KindCount[]> {
  const keys = new Set<string>();
  for (const key of [ctx.old.workers, ctx.old.queueWorkers]) if ((await ctx.redis.exists(key)) === 1) keys.add(key);
  for await (const page of scanOld(ctx.redis, ctx.old.worker)) for (const key of page) keys.add(key);
  if (!ctx.dryRun && keys.size > 0) await ctx.redis.unlink(...keys);
  return [
    { kind: 'old worker registry keys', count: keys.size, note: 'they describe stopped processes', dropped: true },
  ];
}

/** Named alike in both layouts: rate-limit windows (expiring), result-cache answers (expiring), dead letters. */
const UNCHANGED: readonly (readonly [string, (ctx: MigrationContext) => string])[] = [
  ['rate-limit counters', (ctx) => ctx.old.rateLimit],
  ['result cache entries', (ctx) => ctx.old.resultCache],
  ['webhook dead letters (stream)', (ctx) => ctx.old.webhookDead],
];

/** How many keys of each unchanged kind there are: nothing to do, said so in the summary. */
export async function countUnchanged(ctx: MigrationContext): Promise<KindCount[]> {
  const counts: KindCount[] = [];
  for (const [kind, pattern] of UNCHANGED) {
    let count = 0;
    for await (const page of scanOld(ctx.redis, pattern(ctx))) count += page.length;
    counts.push({ kind, count });
  }
  return counts;
}

/** The old-layout names this migration knows: those it moves or deletes, and the unchanged ones. */
const HEADS = [
  'job:',
  'jobs-of:',
  'idempotency:',
  'file:',
  'model-routing:',
  'shadow:',
  'worker:',
  'inference.',
  'webhooks:',
];
const NAMES = ['enqueue-intents', 'deadlines', 'webhook-outbox', 'workers', 'queue-workers'];
const UNCHANGED_HEADS = ['ratelimit:', 'result-cache:'];
const UNCHANGED_NAMES = ['webhook-dead'];

/**
 * Every key under the prefix without a hash tag that this migration would leave behind: after a
 * run, any that is not of an unchanged kind (a key whose new name existed already, a name of no
 * known shape); before (a dry run), any of no kind it knows. Up to five are named.
 */
export async function findLeftovers(
  ctx: MigrationContext,
  afterRun: boolean,
): Promise<{ count: number; examples: string[] }> {
  const p = `${ctx.prefix}:`;
  const matches = (key: string, heads: readonly string[], names: readonly string[]) =>
    heads.some((head) => key.startsWith(p + head)) || names.includes(key.slice(p.length));
  const unchanged = (key: string) => matches(key, UNCHANGED_HEADS, UNCHANGED_NAMES);
  const known = (key: string) => unchanged(key) || matches(key, HEADS, NAMES);
  const left = new Set<string>();
  for await (const page of scanOld(ctx.redis, ctx.old.everything)) {
    for (const key of page) if (!(afterRun ? unchanged(key) : known(key))) left.add(key);
  }
  return { count: left.size, examples: [...left].slice(0, 5) };
}
