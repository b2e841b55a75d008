import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { JobStore } from './job-store.ts';
import { STORE_SHARDS } from './keys.ts';
import { isBefore, type ListCursor, type ListedJob } from './list-across-shards.ts';

/** An id in `shard` (its last hex digit); the listing orders by creation time, then id. */
const idIn = (shard: number) => `${randomUUID().slice(0, -1)}${shard.toString(16)}`;

describe('listing one owner’s jobs across the job-store shards (real Redis)', () => {
  let redis: Redis;
  const prefix = uniquePrefix('list');
  let store: JobStore;
  /** Every job created, newest first as the listing must give them. */
  const expected: { id: string; at: number; model: string }[] = [];

  beforeAll(async () => {
    redis = testRedis();
    store = new JobStore(redis, prefix, 3600);
    const base = Date.parse('2026-12-01T00:00:00Z');
    // 120 jobs over every shard: singles, and batches (one shard, one creation time), interleaved in time.
    for (let n = 0; n < 40; n++) {
      const at = base + n * 1000 + (n % 3);
      const shard = (n * 7) % STORE_SHARDS;
      const size = n % 4 === 0 ? 5 : n % 5 === 0 ? 3 : 1;
      const jobs = Array.from({ length: size }, () => ({
        job: { id: idIn(shard), model: n % 2 === 0 ? 'even' : 'odd', createdAt: new Date(at), owner: 'key:alice' },
        image: Uint8Array.from([1]),
      }));
      await store.createMany(jobs);
      for (const { job } of jobs) expected.push({ id: job.id, at, model: job.model });
    }
    // Someone else's jobs are never listed.
    await store.create(
      { id: idIn(3), model: 'even', createdAt: new Date(base + 5000), owner: 'key:bob' },
      Uint8Array.from([1]),
    );
    expected.sort((a, b) => (isBefore(a, b) ? -1 : 1));
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const pageThrough = async (limit: number, filter: { model?: string; scanLimit?: number } = {}) => {
    const seen: ListedJob[] = [];
    let cursor: ListCursor | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const page = await store.list('key:alice', { limit, cursor, ...filter });
      seen.push(...page.jobs);
      if (!page.next) return { seen, pages: pages + 1 };
      cursor = page.next;
    }
    throw new Error('the listing never ended');
  };

  it('gives every job once, newest first (ties by id), whatever the page size', async () => {
    for (const limit of [1, 7, 50, 500]) {
      const { seen } = await pageThrough(limit);
      expect(seen.map((job) => job.view.id)).toEqual(expected.map((job) => job.id));
    }
  });

  it('filters by model across the shards, and a scan limit ends a page early with a cursor that goes on', async () => {
    const { seen } = await pageThrough(10, { model: 'odd' });
    const odd = expected.filter((job) => job.model === 'odd').map((job) => job.id);
    expect(odd.length).toBeGreaterThan(10);
    expect(seen.map((job) => job.view.id)).toEqual(odd);
    const sparse = await pageThrough(10, { model: 'odd', scanLimit: 4 });
    expect(sparse.seen.map((job) => job.view.id)).toEqual(seen.map((job) => job.view.id));
    expect(sparse.pages).toBeGreaterThan(20);
  });

  it('skips and drops jobs whose record expired, in whichever shard', async () => {
    const gone = expected.splice(3, 2);
    for (const { id } of gone) await redis.del(store.keys.job(id));
    const { seen } = await pageThrough(6);
    expect(seen.map((job) => job.view.id)).toEqual(expected.map((job) => job.id));
    for (const { id } of gone) expect(await redis.zscore(store.keys.shardOf(id).jobIndex('key:alice'), id)).toBeNull();
  });
});
