import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { Deadlines } from './deadlines.ts';
import { JobStore } from './job-store.ts';

describe('Deadlines (real Redis)', () => {
  const prefix = uniquePrefix('deadlines');
  let redis: Redis;
  let store: JobStore;
  let deadlines: Deadlines;
  beforeAll(() => {
    redis = testRedis();
    store = new JobStore(redis, prefix, 600);
    deadlines = new Deadlines(store, redis);
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const create = (id: string, cancelAt?: Date) =>
    store.create({ id, model: 'm', createdAt: new Date(), cancelAt }, Uint8Array.from([1]));

  it('indexes deadlines at creation and expires a queued job once it is due, once', async () => {
    const at = Date.now() + 60_000;
    await create('late', new Date(at));
    await create('none');
    expect(await deadlines.due(at - 1, 10)).toEqual([]);
    expect(await deadlines.due(at, 10)).toEqual(['late']);
    expect(await deadlines.expireIfDue('late', at - 1)).toEqual({ expired: false });
    expect(await deadlines.expireIfDue('late', at)).toEqual({ expired: true, model: 'm' });
    expect(await store.get('late')).toMatchObject({ status: 'canceled', error: { code: 'deadline_exceeded' } });
    expect(await deadlines.due(at, 10)).toEqual([]);
    expect(await deadlines.expireIfDue('late', at)).toEqual({ expired: false });
    expect(await deadlines.expireIfDue('none', at)).toEqual({ expired: false });
  });

  it('leaves a job that started before its deadline alone, and drops it from the index', async () => {
    const at = Date.now() + 60_000;
    await create('started', new Date(at));
    await store.apply('start', 'started');
    expect(await deadlines.expireIfDue('started', at + 1)).toEqual({ expired: false });
    expect((await store.get('started'))?.status).toBe('running');
    expect(await deadlines.due(at + 1, 10)).toEqual([]);
  });
});
