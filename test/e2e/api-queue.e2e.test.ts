import type { JobAccepted, JobView } from '@infer/contracts';
import { JobStore, redisKeys } from '@infer/job-store';
import { InferenceQueues, newJobId } from '@infer/queues';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone } from '../support/jobs-client.ts';
import { jobIdsLogged } from '../support/logs.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

const startedInLogs = (logs: string): Set<string> => jobIdsLogged(logs, 'job started');

describe('queue behaviour with no worker, then one (real API, worker and Redis processes)', () => {
  let system: TestSystem;
  let image: Buffer;
  const deadlineJobs: string[] = [];

  beforeAll(async () => {
    image = await solidImage(COLOURS.green, 'png', 32);
    system = await TestSystem.start({ workers: 0, env: { MAX_QUEUE_DEPTH: '5' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = async (fields: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('image', new Blob([image]), 'leaf.png');
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    return fetch(system.url('/v1/jobs'), { method: 'POST', body: form, headers });
  };
  const get = async (id: string) => (await (await fetch(system.url(`/v1/jobs/${id}`))).json()) as JobView;
  /** A queued job past its Cancel-After deadline that the API's sweeper does not know of (written as the API would, minus the sweep entry). */
  const enqueueUnswept = async () => {
    const redis = testRedis();
    const queues = new InferenceQueues(redis, system.prefix, ['plant-pathology']);
    try {
      const id = newJobId();
      const cancelAt = new Date(Date.now() - 1000);
      const store = new JobStore(redis, system.prefix, 3600);
      await store.create({ id, model: 'plant-pathology', createdAt: new Date(), cancelAt }, image);
      // The store registers every deadline with the record: take this one out of the sweep.
      await redis.zrem(store.keys.shardOf(id).deadlines, id);
      await queues.enqueueMany(
        [
          {
            data: { jobId: id, model: 'plant-pathology', enqueuedAt: Date.now(), cancelAt: cancelAt.getTime() },
            priority: 0,
          },
        ],
        { attempts: 1 },
      );
      return id;
    } finally {
      await queues.close();
      redis.disconnect();
    }
  };
  const idOf = async (response: Response) => {
    const body = await response.text();
    expect(response.status, body).toBe(202);
    return (JSON.parse(body) as JobAccepted).id;
  };

  it('answers 429 queue_full with Retry-After beyond MAX_QUEUE_DEPTH, and accepts again once jobs leave', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await idOf(await submit()));
    const full = await submit();
    expect(full.status).toBe(429);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await full.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'queue_full', details: { model: 'plant-pathology', max_depth: 5 } });

    // A batch counts every image it holds.
    await fetch(system.url(`/v1/jobs/${ids[0]}`), { method: 'DELETE' });
    const batch = new FormData();
    batch.append('image', new Blob([image]), 'a.png');
    batch.append('image', new Blob([image]), 'b.png');
    await expect
      .poll(async () => (await fetch(system.url('/v1/jobs:batch'), { method: 'POST', body: batch })).status)
      .toBe(429);

    // Canceling removes the jobs from the queue, so the depth falls and submissions are accepted again.
    for (const id of ids.slice(1)) {
      const canceled = await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
      expect(canceled.status).toBe(200);
      expect(((await canceled.json()) as JobView).status).toBe('canceled');
    }
    let again: Response | undefined;
    await expect
      .poll(async () => {
        again = await submit();
        return again.status;
      })
      .toBe(202);
    if (again) await fetch(system.url(`/v1/jobs/${await idOf(again)}/cancel`), { method: 'POST' });
  });

  it('stores the image bytes once, as a binary value, and the BullMQ job carries only ids', async () => {
    const id = await idOf(await submit());
    const redis = testRedis();
    try {
      expect(await redis.getBuffer(redisKeys(system.prefix).image(id))).toEqual(image);
      const data = await redis.hget(`${system.prefix}:{inference.plant-pathology}:${id}`, 'data');
      expect(Object.keys(JSON.parse(data ?? '{}')).sort()).toEqual(['enqueuedAt', 'jobId', 'model', 'requestId']);
      expect(data?.length).toBeLessThan(256);
    } finally {
      redis.disconnect();
    }
    await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
  });

  it('cancels a queued job: canceled, no queue position, idempotent, and removed from the BullMQ queue', async () => {
    const id = await idOf(await submit());
    expect((await get(id)).queue_position).toBe(1);
    const first = await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
    expect(await first.json()).toMatchObject({ id, status: 'canceled', queue_position: null, started_at: null });
    const second = await fetch(system.url(`/v1/jobs/${id}/cancel`), { method: 'POST' });
    expect(second.status).toBe(200);
    const redis = testRedis();
    try {
      expect(await redis.exists(`${system.prefix}:{inference.plant-pathology}:${id}`)).toBe(0);
      expect(await redis.zrank(`${system.prefix}:{inference.plant-pathology}:prioritized`, id)).toBeNull();
      expect(await redis.exists(redisKeys(system.prefix).image(id))).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('Prefer: wait on a retried idempotent submit waits again (not an instant 200 for an unfinished job)', async () => {
    const headers = { Prefer: 'wait=1', 'Idempotency-Key': `wait-retry-${Date.now()}` };
    const first = await submit({}, headers);
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as JobView;
    const started = Date.now();
    const retried = await submit({}, headers);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.headers.get('preference-applied')).toBe('wait=1');
    // Not finished in time: 202, as for the first request; 200 would say it ended.
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ id, status: 'queued', result: null });
    expect(retried.headers.get('location')).toBe(`/v1/jobs/${id}`);
    await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
  });

  it('Cancel-After: a job still queued at its deadline becomes canceled (deadline_exceeded) with no reader and no worker', async () => {
    const id = await idOf(await submit({}, { 'cancel-after': '1' }));
    deadlineJobs.push(id);
    expect((await get(id)).cancel_at).not.toBeNull();
    // Read the record straight from Redis: GET would flip it lazily, this proves the API's sweeper did.
    const redis = testRedis();
    try {
      await expect
        .poll(() => redis.hget(redisKeys(system.prefix).job(id), 'status'), { timeout: 10_000 })
        .toBe('canceled');
      const record = await redis.hgetall(redisKeys(system.prefix).job(id));
      expect(JSON.parse(record.error ?? '{}')).toMatchObject({ code: 'deadline_exceeded' });
    } finally {
      redis.disconnect();
    }
    expect(await get(id)).toMatchObject({ status: 'canceled', error: { code: 'deadline_exceeded' } });
    // A read past the deadline flips it too, whatever the sweeper did.
    const unswept = await enqueueUnswept();
    expect(await get(unswept)).toMatchObject({ status: 'canceled', error: { code: 'deadline_exceeded' } });
    // A generous deadline is not hit: this one runs once the worker is there (checked below).
    deadlineJobs.push(await idOf(await submit({}, { 'cancel-after': '3600' })));
  });

  it('runs higher priority first and reports queue positions; a passed deadline never runs', async () => {
    const order = [
      { name: 'low-1', priority: '0' },
      { name: 'low-2', priority: '0' },
      { name: 'high', priority: '100' },
      { name: 'mid', priority: '50' },
    ];
    const ids = new Map<string, string>();
    for (const { name, priority } of order)
      ids.set(name, await idOf(await submit({ priority, metadata: `{"name":"${name}"}` })));
    // The Cancel-After: 3600 job (priority 0) was queued first of all.
    const positions = await Promise.all(
      ['high', 'mid', 'low-1', 'low-2'].map(async (n) => (await get(ids.get(n) ?? '')).queue_position),
    );
    expect(positions).toEqual([1, 2, 4, 5]);

    // Neither swept nor read: only the worker's own deadline check stands between it and a run.
    const workerChecked = await enqueueUnswept();

    const worker = await system.startWorker({ WORKER_CONCURRENCY: '1', MAX_BATCH_SIZE: '1' });
    const done = await Promise.all([...ids.values()].map((id) => pollUntilDone(system.apiUrl, id)));
    const byStart = [...done].sort((a, b) => Date.parse(a.started_at ?? '') - Date.parse(b.started_at ?? ''));
    expect(
      byStart.map((job) => job.metadata?.name),
      system.logs(),
    ).toEqual(['high', 'mid', 'low-1', 'low-2']);

    const [expired, generous] = deadlineJobs as [string, string];
    expect((await pollUntilDone(system.apiUrl, generous)).status).toBe('succeeded');
    expect(await get(expired)).toMatchObject({ status: 'canceled', started_at: null });
    const started = startedInLogs(worker.logs);
    expect(started.has(generous)).toBe(true);
    expect(started.has(expired)).toBe(false);

    const redis = testRedis();
    try {
      await expect.poll(() => redis.hget(redisKeys(system.prefix).job(workerChecked), 'status')).toBe('canceled');
      const record = await redis.hgetall(redisKeys(system.prefix).job(workerChecked));
      expect(JSON.parse(record.error ?? '{}')).toMatchObject({ code: 'deadline_exceeded' });
      expect(record.started_at).toBeUndefined();
    } finally {
      redis.disconnect();
    }
    expect(startedInLogs(worker.logs).has(workerChecked)).toBe(false);
    expect(worker.logs).toMatch(new RegExp(`"jobId":"${workerChecked}".*Cancel-After deadline`));
  });
});
