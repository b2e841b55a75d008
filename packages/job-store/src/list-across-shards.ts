import type { JobStatus, JobView, PredictionOrigin } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import type { RedisKeys } from './keys.ts';
import { JOB_FIELDS, jobViewFromHash, predictionOriginOf } from './record/job-record.ts';

/** A job of a listing, with how it was created (a Replicate prediction, or not). */
export interface ListedJob {
  view: JobView;
  origin: PredictionOrigin | undefined;
}

/** Where a page of a listing ends: the creation time (index score) and id of its last job. */
export interface ListCursor {
  at: number;
  id: string;
}

export interface ListQuery {
  limit: number;
  cursor?: ListCursor | undefined;
  status?: readonly JobStatus[] | undefined;
  model?: string | undefined;
  /** Epoch ms, exclusive. */
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
  scanLimit?: number;
}

/** Newest first; within one creation time (a batch), the higher id first, as ZREVRANGEBYSCORE orders ties. */
export const isBefore = (a: ListCursor, b: ListCursor): boolean => a.at > b.at || (a.at === b.at && a.id > b.id);

/** One shard's owner index, read a chunk at a time in the listing's order. */
class ShardIndexReader {
  private buffer: ListCursor[] = [];
  private offset = 0;
  private exhausted = false;
  readonly shard: number;
  private readonly redis: RedisClient;
  private readonly index: string;
  private readonly range: { max: string; min: string; cursor: ListCursor | undefined };

  constructor(
    redis: RedisClient,
    shard: number,
    index: string,
    range: { max: string; min: string; cursor: ListCursor | undefined },
  ) {
    this.redis = redis;
    this.shard = shard;
    this.index = index;
    this.range = range;
  }

  get done(): boolean {
    return this.exhausted && this.buffer.length === 0;
  }

  head(): ListCursor | undefined {
    return this.buffer[0];
  }

  take(): ListCursor | undefined {
    return this.buffer.shift();
  }

  /** Read the next chunk when the buffer is empty (and the index is not read to its end). */
  async fill(chunk: number): Promise<void> {
    const { max, min, cursor } = this.range;
    while (this.buffer.length === 0 && !this.exhausted) {
      const page = await this.redis.zrevrangebyscore(this.index, max, min, 'WITHSCORES', 'LIMIT', this.offset, chunk);
      this.offset += page.length / 2;
      if (page.length / 2 < chunk) this.exhausted = true;
      for (let i = 0; i < page.length; i += 2) {
        const entry = { id: page[i] as string, at: Number(page[i + 1]) };
        // Ties (a batch shares one creation time) are ordered by id: skip what the previous page had.
        if (cursor && entry.at === cursor.at && entry.id >= cursor.id) continue;
        this.buffer.push(entry);
      }
    }
  }
}

/**
 * One owner's jobs, newest first, merged from the owner's index in every job-store shard
 * (keys.ts): each shard is read in order a chunk at a time, and the next job is the newest
 * head among them, so pages are in one order with one cursor however the jobs are spread.
 * Records are read per shard (one pipeline each: a shard is one slot). Expired records are
 * skipped and dropped from their index; at most `scanLimit` index entries are read per call,
 * so a sparse filter answers a short page with a cursor rather than scanning everything.
 */
export async function listAcrossShards(
  redis: RedisClient,
  keys: RedisKeys,
  owner: string,
  query: ListQuery,
): Promise<{ jobs: ListedJob[]; next?: ListCursor }> {
  const range = {
    max: query.cursor ? String(query.cursor.at) : query.createdBefore ? `(${query.createdBefore}` : '+inf',
    min: query.createdAfter ? `(${query.createdAfter}` : '-inf',
    cursor: query.cursor,
  };
  const readers = keys.shards.map((shard, i) => new ShardIndexReader(redis, i, shard.jobIndex(owner), range));
  const scanLimit = query.scanLimit ?? 1000;
  const chunk = Math.max(1, Math.min(query.limit + 1, scanLimit));
  const jobs: ListedJob[] = [];
  let scanned = 0;
  let last: ListCursor | undefined;
  while (jobs.length < query.limit && scanned < scanLimit) {
    // The next entries in order: as many as the page still lacks, taken from the newest heads.
    const batch: { shard: number; entry: ListCursor }[] = [];
    while (batch.length < query.limit - jobs.length && scanned + batch.length < scanLimit) {
      // Only readers whose buffer ran dry read again: one round trip per exhausted chunk, not per entry.
      await Promise.all(readers.filter((reader) => !reader.head()).map((reader) => reader.fill(chunk)));
      let newest: ShardIndexReader | undefined;
      for (const reader of readers) {
        const head = reader.head();
        const best = newest?.head();
        if (head && (!best || isBefore(head, best))) newest = reader;
      }
      const entry = newest?.take();
      if (!newest || !entry) break;
      batch.push({ shard: newest.shard, entry });
    }
    if (batch.length === 0) return { jobs };
    scanned += batch.length;
    const records = await readRecords(redis, keys, batch);
    const gone = new Map<number, string[]>();
    for (const [i, { shard, entry }] of batch.entries()) {
      last = entry;
      const record = records[i] as Record<string, string>;
      const status = record[JOB_FIELDS.status.name];
      if (!status) {
        gone.set(shard, [...(gone.get(shard) ?? []), entry.id]);
        continue;
      }
      if (query.status && !query.status.includes(status as JobStatus)) continue;
      if (query.model && record[JOB_FIELDS.model.name] !== query.model) continue;
      jobs.push({ view: jobViewFromHash(record), origin: predictionOriginOf(record) });
      if (jobs.length === query.limit) {
        await dropGone(redis, keys, owner, gone);
        const more = i < batch.length - 1 || readers.some((reader) => !reader.done);
        return more ? { jobs, next: entry } : { jobs };
      }
    }
    await dropGone(redis, keys, owner, gone);
  }
  const more = readers.some((reader) => !reader.done);
  return scanned >= scanLimit && last && more ? { jobs, next: last } : { jobs };
}

/** The records of `batch`, in its order: one pipeline per shard, the shards side by side. */
async function readRecords(
  redis: RedisClient,
  keys: RedisKeys,
  batch: readonly { shard: number; entry: ListCursor }[],
): Promise<Record<string, string>[]> {
  const records: Record<string, string>[] = new Array(batch.length);
  const byShard = new Map<number, number[]>();
  for (const [i, { shard }] of batch.entries()) byShard.set(shard, [...(byShard.get(shard) ?? []), i]);
  await Promise.all(
    [...byShard.values()].map(async (positions) => {
      const pipeline = redis.pipeline();
      for (const i of positions) pipeline.hgetall(keys.job((batch[i] as { entry: ListCursor }).entry.id));
      const replies = (await pipeline.exec()) ?? [];
      for (const [n, i] of positions.entries()) {
        const [error, hash] = replies[n] ?? [null, {}];
        if (error) throw error;
        records[i] = hash as Record<string, string>;
      }
    }),
  );
  return records;
}

async function dropGone(
  redis: RedisClient,
  keys: RedisKeys,
  owner: string,
  gone: Map<number, string[]>,
): Promise<void> {
  await Promise.all([...gone].map(([shard, ids]) => redis.zrem(keys.shard(shard).jobIndex(owner), ...ids)));
}
