import type { ShardKeys } from '@infer/job-store';
import { execAll, type KindCount, type MigrationContext, scanOld } from './context.ts';

/** Entries read (and written) per round trip. */
const CHUNK = 1000;

/**
 * One old sorted set of job ids into the same set of each job's shard, same scores. The new
 * entries are all written before the old key is deleted, so a crash in between leaves the old
 * key whole and a second run writes the same entries again (ZADD of the same member and score
 * changes nothing). The old key's TTL (an owner index has one) goes to each new key.
 * Answers how many entries it holds.
 */
async function moveSortedSet(
  ctx: MigrationContext,
  oldKey: string,
  targetOf: (shard: ShardKeys) => string,
): Promise<number> {
  const { redis } = ctx;
  const written = new Set<string>();
  let entries = 0;
  // By rank: the old key does not change while it is read (the processes are stopped).
  for (let start = 0; ; start += CHUNK) {
    const flat = await redis.zrange(oldKey, start, String(start + CHUNK - 1), 'WITHSCORES');
    if (flat.length === 0) break;
    entries += flat.length / 2;
    if (ctx.dryRun) continue;
    const byTarget = new Map<string, string[]>();
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i] as string;
      const target = targetOf(ctx.keys.shardOf(id));
      byTarget.set(target, [...(byTarget.get(target) ?? []), flat[i + 1] as string, id]);
    }
    const pipeline = redis.pipeline();
    for (const [target, scoresAndIds] of byTarget) {
      pipeline.zadd(target, ...scoresAndIds);
      written.add(target);
    }
    await execAll(pipeline);
  }
  if (ctx.dryRun || entries === 0) return entries;
  const ttlMs = await redis.pttl(oldKey);
  const pipeline = redis.pipeline();
  if (ttlMs > 0) for (const target of written) pipeline.pexpire(target, ttlMs);
  pipeline.del(oldKey);
  await execAll(pipeline);
  return entries;
}

/** The enqueue intents and the Cancel-After deadlines: one key each before, one per shard now. */
export async function moveJobSets(ctx: MigrationContext): Promise<KindCount[]> {
  const intents = await moveSortedSet(ctx, ctx.old.enqueueIntents, (shard) => shard.enqueueIntents);
  const deadlines = await moveSortedSet(ctx, ctx.old.deadlines, (shard) => shard.deadlines);
  return [
    { kind: 'enqueue intents', count: intents },
    { kind: 'Cancel-After deadlines', count: deadlines },
  ];
}

/** Each owner's job index (`jobs-of:<owner>`; owners hold ':', as `key:<name>`) into that owner's index of each shard. */
export async function moveOwnerIndexes(ctx: MigrationContext): Promise<KindCount[]> {
  let indexes = 0;
  let entries = 0;
  for await (const page of scanOld(ctx.redis, ctx.old.jobIndexes)) {
    for (const key of page) {
      const owner = ctx.old.ownerOf(key);
      if (!owner) continue;
      const count = await moveSortedSet(ctx, key, (shard) => shard.jobIndex(owner));
      if (count > 0) indexes += 1;
      entries += count;
    }
  }
  return [{ kind: 'owner index entries', count: entries, note: indexes > 0 ? `of ${indexes} owners` : undefined }];
}
