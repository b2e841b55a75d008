import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { JobStore } from './job-store.ts';
import { jobViewFromHash } from './record/job-record.ts';
import { type OutboxEvent, parseOutboxEntry, WebhookStore } from './webhook-store.ts';

describe('webhook outbox written by job transitions (real Redis)', () => {
  let redis: Redis;
  const prefix = uniquePrefix('outbox');
  let store: JobStore;
  let webhooks: WebhookStore;
  const image = Uint8Array.from([0xff, 0xd8, 0xff]);
  const url = 'https://hooks.example/infer';

  beforeAll(() => {
    redis = testRedis();
    store = new JobStore(redis, prefix, 3600);
    webhooks = new WebhookStore(redis, prefix);
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const create = (id: string, webhook?: { url: string; events: string[] }) =>
    store.create({ id, model: 'm', createdAt: new Date('2026-01-01T00:00:00Z'), webhook }, image);

  const events = async (jobId: string): Promise<OutboxEvent[]> => {
    const entries = await redis.xrange(store.keys.shardOf(jobId).webhookOutbox, '-', '+');
    return entries.map(([id, flat]) => parseOutboxEntry(id, flat)).filter((e) => e.jobId === jobId);
  };

  const succeed = (id: string) =>
    store.apply('succeed', id, {
      completed_at: '2026-01-01T00:00:02.000Z',
      result: { predictions: [{ label: 'healthy', score: 0.9 }] },
    });

  it('emits nothing for a job without webhook_url', async () => {
    await create('plain');
    await store.apply('start', 'plain');
    await succeed('plain');
    expect(await events('plain')).toEqual([]);
    expect((await store.get('plain'))?.webhook).toBeNull();
  });

  it('appends the terminal event in the same script, with a snapshot of the finished job', async () => {
    await create('ok', { url, events: ['job.succeeded', 'job.failed', 'job.canceled'] });
    expect((await store.get('ok'))?.webhook).toMatchObject({ url, status: null, event: null, attempts: 0 });
    await store.apply('start', 'ok', { started_at: '2026-01-01T00:00:01.000Z' });
    expect(await events('ok')).toEqual([]);
    await succeed('ok');

    const [event, ...rest] = await events('ok');
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'job.succeeded', jobId: 'ok', url });
    expect(event?.eventId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(event?.deliveryId).toBe(event?.eventId);
    const data = jobViewFromHash(event?.snapshot ?? {});
    expect(data).toMatchObject({
      id: 'ok',
      status: 'succeeded',
      completed_at: '2026-01-01T00:00:02.000Z',
      result: { predictions: [{ label: 'healthy', score: 0.9 }] },
    });
    // The snapshot carries no delivery state.
    expect(Object.keys(event?.snapshot ?? {}).filter((k) => k.startsWith('webhook_'))).toEqual([]);
    expect((await store.get('ok'))?.webhook).toMatchObject({
      event: 'job.succeeded',
      event_id: event?.eventId,
      status: 'pending',
      attempts: 0,
    });
  });

  it('gives a change the same webhook-id when a lost write makes the worker apply it again', async () => {
    await create('replayed', { url, events: ['job.succeeded'] });
    await store.apply('start', 'replayed');
    await succeed('replayed');
    // A failover lost the terminal write after the event had gone out: the promoted replica has the
    // job running, and the worker applies succeed again.
    await redis.hset(store.keys.job('replayed'), 'status', 'running');
    await succeed('replayed');
    const emitted = await events('replayed');
    expect(emitted).toHaveLength(2);
    expect(new Set(emitted.map((event) => event.eventId)).size).toBe(1);
    // Other jobs, and other changes of this one, have ids of their own.
    await create('other', { url, events: ['job.succeeded'] });
    await store.apply('start', 'other');
    await succeed('other');
    expect((await events('other'))[0]?.eventId).not.toBe(emitted[0]?.eventId);
  });

  it('sends job.started only when asked, and once across retries', async () => {
    await create('started', { url, events: ['job.started', 'job.failed'] });
    await store.apply('start', 'started');
    await store.apply('retry', 'started');
    await store.apply('start', 'started');
    await store.apply('start', 'started');
    await succeed('started'); // not subscribed
    expect((await events('started')).map((e) => e.type)).toEqual(['job.started']);

    await create('default', { url, events: ['job.succeeded', 'job.failed', 'job.canceled'] });
    await store.apply('start', 'default');
    expect(await events('default')).toEqual([]);
  });

  it('uses the three terminal events when the record names none', async () => {
    await create('legacy');
    await redis.hset(store.keys.job('legacy'), 'webhook_url', url);
    await store.apply('start', 'legacy');
    await store.apply('fail', 'legacy', { error: { code: 'invalid_image', message: 'bad' } });
    expect((await events('legacy')).map((e) => e.type)).toEqual(['job.failed']);
  });

  it('emits nothing when the transition loses its compare-and-set', async () => {
    await create('race', { url, events: ['job.canceled', 'job.succeeded'] });
    await store.apply('cancel', 'race');
    expect((await store.apply('cancel', 'race')).applied).toBe(false);
    expect((await events('race')).map((e) => e.type)).toEqual(['job.canceled']);
  });

  it('redelivers the terminal event with the same id and body, only when there is one to redeliver', async () => {
    expect(await webhooks.requestRedelivery('nope')).toEqual({ ok: false, reason: 'not_found' });
    await create('plain2');
    expect(await webhooks.requestRedelivery('plain2')).toEqual({ ok: false, reason: 'no_webhook' });
    await create('redo', { url, events: ['job.succeeded'] });
    expect(await webhooks.requestRedelivery('redo')).toEqual({ ok: false, reason: 'not_terminal' });
    await store.apply('start', 'redo');
    await succeed('redo');
    expect(await webhooks.requestRedelivery('redo')).toEqual({ ok: false, reason: 'pending' });

    const [original] = await events('redo');
    await webhooks.recordAttempt('redo', original?.deliveryId ?? '', {
      status: 'failed',
      attempts: 3,
      statusCode: 500,
      error: 'HTTP 500',
      attemptedAt: new Date(),
    });
    const outcome = await webhooks.requestRedelivery('redo');
    expect(outcome).toEqual({
      ok: true,
      type: 'job.succeeded',
      eventId: original?.eventId,
      deliveryId: `${original?.eventId}.r1`,
    });
    const [, again] = await events('redo');
    expect(again).toMatchObject({ eventId: original?.eventId, deliveryId: `${original?.eventId}.r1` });
    expect(again?.timestamp).toBe(original?.timestamp);
    expect(again?.snapshot).toEqual(original?.snapshot);
    expect((await store.get('redo'))?.webhook).toMatchObject({
      status: 'pending',
      attempts: 0,
      last_status_code: null,
    });

    await create('filtered', { url, events: ['job.failed'] });
    await store.apply('start', 'filtered');
    await succeed('filtered');
    expect(await webhooks.requestRedelivery('filtered')).toEqual({ ok: false, reason: 'not_subscribed' });
  });

  it('records attempts only for the current delivery and never resurrects an expired record', async () => {
    await create('rec', { url, events: ['job.succeeded'] });
    await store.apply('start', 'rec');
    await succeed('rec');
    const [event] = await events('rec');
    const next = new Date(Date.now() + 5000);
    expect(
      await webhooks.recordAttempt('rec', event?.deliveryId ?? '', {
        status: 'pending',
        attempts: 1,
        statusCode: 503,
        error: 'HTTP 503',
        attemptedAt: new Date(),
        nextAttemptAt: next,
      }),
    ).toBe(true);
    expect((await store.get('rec'))?.webhook).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_status_code: 503,
      last_error: 'HTTP 503',
      next_attempt_at: next.toISOString(),
    });
    expect(
      await webhooks.recordAttempt('rec', event?.deliveryId ?? '', {
        status: 'delivered',
        attempts: 2,
        statusCode: 204,
        attemptedAt: new Date(),
      }),
    ).toBe(true);
    expect((await store.get('rec'))?.webhook).toMatchObject({
      status: 'delivered',
      attempts: 2,
      last_status_code: 204,
      last_error: null,
      next_attempt_at: null,
    });
    expect(
      await webhooks.recordAttempt('rec', 'msg_old', { status: 'failed', attempts: 9, attemptedAt: new Date() }),
    ).toBe(false);
    expect(await webhooks.recordAttempt('gone', 'x', { status: 'failed', attempts: 1, attemptedAt: new Date() })).toBe(
      false,
    );
    expect(await redis.exists(store.keys.job('gone'))).toBe(0);
  });

  it('keeps dead letters in a capped stream', async () => {
    await webhooks.deadLetter({
      deliveryId: 'd1',
      eventId: 'msg_1',
      jobId: 'j1',
      type: 'job.failed',
      url,
      attempts: 8,
      statusCode: 500,
      error: 'HTTP 500',
    });
    expect(await webhooks.listDead()).toEqual([
      expect.objectContaining({ delivery_id: 'd1', job_id: 'j1', attempts: '8', last_status_code: '500' }),
    ]);
  });
});
