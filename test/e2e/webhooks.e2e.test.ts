import type { JobView, WebhookPayload, WebhookStatus } from '@infer/contracts';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { type ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Webhooks end to end: API, worker and dispatcher as real processes, a real
 * receiver on 127.0.0.1 (allowed through SSRF_ALLOWLIST), the real model.
 * A short retry schedule (4 attempts) keeps retries and dead letters quick.
 */
describe('webhooks (real processes and receiver)', () => {
  let system: TestSystem;
  let image: Buffer;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    image = await solidImage(COLOURS.green);
    system = await TestSystem.start({
      dispatcher: true,
      env: {
        SSRF_ALLOWLIST: '127.0.0.1',
        WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms',
        WEBHOOK_TIMEOUT_MS: '1500',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await system?.stop();
  });

  const receiver = async (...args: Parameters<typeof WebhookReceiver.start>) => {
    const started = await WebhookReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  const submit = async (fields: Record<string, string>): Promise<string> => {
    const response = await submitImage(system.apiUrl, image, fields);
    expect(response.status, await response.clone().text()).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  const getJob = async (id: string): Promise<JobView> => {
    const response = await fetch(system.url(`/v1/jobs/${id}`));
    expect(response.status).toBe(200);
    return (await response.json()) as JobView;
  };

  /** Poll the job until its webhook delivery status is final (delivered or failed). */
  const webhookSettled = async (id: string, timeoutMs = 20_000): Promise<WebhookStatus> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const webhook = (await getJob(id)).webhook;
      if (webhook?.status === 'delivered' || webhook?.status === 'failed') return webhook;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`webhook of ${id} not settled within ${timeoutMs} ms\n${system.logs().slice(-5000)}`);
  };

  const verify = (request: ReceivedRequest): WebhookPayload =>
    new Webhook(system.webhookSecret).verify(request.body, request.headers as Record<string, string>) as WebhookPayload;

  it('delivers job.succeeded signed per Standard Webhooks, with the job as GET shows it', async () => {
    const hooks = await receiver();
    const id = await submit({ webhook_url: hooks.url('/hook?token=abc') });
    const [request] = await hooks.waitForRequests(1);
    const job = await pollUntilDone(system.apiUrl, id);

    expect(request).toMatchObject({ method: 'POST', path: '/hook?token=abc' });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toMatch(/^msg_/);
    const payload = verify(request as ReceivedRequest);
    expect(payload.type).toBe('job.succeeded');
    const { webhook: _webhook, queue_position: _position, ...view } = job;
    expect(payload.data).toMatchObject(view);
    expect(payload.data.result?.predictions[0]?.label).toBe('healthy');
    expect(Date.parse(payload.timestamp)).toBeGreaterThanOrEqual(Date.parse(job.completed_at ?? ''));

    expect(await webhookSettled(id)).toMatchObject({
      status: 'delivered',
      event: 'job.succeeded',
      event_id: request?.headers['webhook-id'],
      attempts: 1,
      last_status_code: 204,
      last_error: null,
      next_attempt_at: null,
    });
    // A job without a webhook says so.
    const plain = await submit({});
    await pollUntilDone(system.apiUrl, plain);
    expect((await getJob(plain)).webhook).toBeNull();
  });

  it('retries 500s and delivers exactly once, with the same webhook-id on every attempt', async () => {
    const hooks = await receiver((_request, index) => (index < 2 ? { status: 500, body: 'boom' } : { status: 200 }));
    const id = await submit({ webhook_url: hooks.url() });
    const status = await webhookSettled(id);
    expect(status).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    const requests = hooks.requests;
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([status.event_id]));
    // The same body every time; each attempt signed (and verifiable) on its own.
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const request of requests) expect(verify(request).data.id).toBe(id);
  });

  it('honours webhook_events: a success is not sent when only job.failed is asked for', async () => {
    const hooks = await receiver();
    const id = await submit({ webhook_url: hooks.url(), webhook_events: 'job.failed' });
    const job = await pollUntilDone(system.apiUrl, id);
    expect(job.status).toBe('succeeded');
    // The event decision is atomic with the status change (same Lua script): once "succeeded" is
    // visible, an event would already be recorded on the job; there is none.
    expect((await getJob(id)).webhook).toMatchObject({ events: ['job.failed'], event: null, status: null });
    const redeliver = await fetch(system.url(`/v1/jobs/${id}/webhook/redeliver`), { method: 'POST' });
    expect(redeliver.status).toBe(409);
    expect(await redeliver.json()).toMatchObject({ error: { code: 'webhook_not_redeliverable' } });
    expect(hooks.requests).toEqual([]);
  });

  it('delivers job.failed with the error when the image cannot be decoded', async () => {
    const hooks = await receiver();
    // PNG magic bytes pass the API's sniffing; the worker's decoder refuses the rest (permanent failure).
    const broken = Buffer.concat([image.subarray(0, 64), Buffer.alloc(64)]);
    const response = await submitImage(system.apiUrl, broken, {
      webhook_url: hooks.url(),
      webhook_events: 'job.failed',
    });
    expect(response.status).toBe(202);
    const id = ((await response.json()) as { id: string }).id;
    const [request] = await hooks.waitForRequests(1);
    expect(verify(request as ReceivedRequest)).toMatchObject({
      type: 'job.failed',
      data: { id, status: 'failed', result: null, error: { code: 'invalid_image' } },
    });
  });

  it('sends job.started when asked, as well as the terminal event', async () => {
    const hooks = await receiver();
    const id = await submit({ webhook_url: hooks.url(), webhook_events: 'job.started,job.succeeded' });
    const requests = await hooks.waitForRequests(2);
    const types = requests.map((r) => verify(r).type).sort();
    expect(types).toEqual(['job.started', 'job.succeeded']);
    const started = requests.map(verify).find((p) => p.type === 'job.started');
    expect(started?.data).toMatchObject({ id, status: 'running', result: null });
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it.each([410, 400])('stops at once when the receiver answers %i, and dead-letters the delivery', async (code) => {
    const hooks = await receiver(() => ({ status: code, body: 'go away' }));
    const id = await submit({ webhook_url: hooks.url() });
    expect(await webhookSettled(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_status_code: code,
      last_error: `HTTP ${code}: go away`,
      next_attempt_at: null,
    });
    expect(hooks.requests).toHaveLength(1);
    const dead = await deadLetters();
    expect(dead.find((entry) => entry.job_id === id)).toMatchObject({ attempts: '1', last_status_code: String(code) });
  });

  it('dead-letters after the last attempt of the schedule', async () => {
    const hooks = await receiver(() => ({ status: 503, headers: { 'retry-after': '0' } }));
    const id = await submit({ webhook_url: hooks.url() });
    const status = await webhookSettled(id);
    expect(status).toMatchObject({ status: 'failed', attempts: 4, last_status_code: 503 });
    expect(hooks.requests).toHaveLength(4);
    expect(new Set(hooks.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const dead = (await deadLetters()).find((entry) => entry.job_id === id);
    expect(dead).toMatchObject({ event_id: status.event_id, type: 'job.succeeded', attempts: '4', url: hooks.url() });
    // The failed BullMQ job stays inspectable too.
    const redis = testRedis();
    try {
      expect(await redis.zscore(`${system.prefix}:{webhooks}:failed`, status.event_id ?? '')).not.toBeNull();
    } finally {
      redis.disconnect();
    }

    // Redelivery starts a new series: same webhook-id and body, and this time the receiver is back.
    hooks.respondWith(() => ({ status: 202 }));
    const response = await fetch(system.url(`/v1/jobs/${id}/webhook/redeliver`), { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      job_id: id,
      event: 'job.succeeded',
      event_id: status.event_id,
      delivery_id: `${status.event_id}.r1`,
      status: 'pending',
    });
    const requests = await hooks.waitForRequests(5);
    expect(requests[4]?.headers['webhook-id']).toBe(status.event_id);
    expect(requests[4]?.body).toBe(requests[0]?.body);
    expect(await webhookSettled(id)).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 202 });
  });

  it('honours Retry-After, up to the longest delay of the schedule', async () => {
    // Schedule 100ms,200ms,300ms: the first retry is due after ~100 ms, but the receiver asks
    // for 1 s, which is capped at the schedule's longest delay (300 ms).
    const hooks = await receiver((_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const id = await submit({ webhook_url: hooks.url() });
    expect(await webhookSettled(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    const [first, second] = hooks.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(290);
  });

  it('cuts off a receiver that hangs and retries it', async () => {
    const hooks = await receiver((_request, index) => (index === 0 ? 'hang' : { status: 200 }));
    const id = await submit({ webhook_url: hooks.url() });
    const status = await webhookSettled(id);
    expect(status).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200 });
    expect(hooks.requests).toHaveLength(2);
  });

  it('does not follow a redirect: the 302 counts as a failed attempt and the target is never contacted', async () => {
    const target = await receiver();
    const hooks = await receiver((_request, index) =>
      index === 0 ? { status: 302, headers: { location: target.url('/internal') } } : { status: 200 },
    );
    const id = await submit({ webhook_url: hooks.url() });
    expect(await webhookSettled(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(hooks.requests).toHaveLength(2);
    expect(target.requests).toEqual([]);
  });

  it('answers 409 for redelivery of a job without webhook and 404 for an unknown job', async () => {
    const plain = await submit({});
    await pollUntilDone(system.apiUrl, plain);
    const noWebhook = await fetch(system.url(`/v1/jobs/${plain}/webhook/redeliver`), { method: 'POST' });
    expect(noWebhook.status).toBe(409);
    expect(await noWebhook.json()).toMatchObject({
      error: { code: 'webhook_not_redeliverable', details: { reason: 'no_webhook' } },
    });
    const unknown = await fetch(system.url('/v1/jobs/00000000-0000-4000-8000-000000000000/webhook/redeliver'), {
      method: 'POST',
    });
    expect(unknown.status).toBe(404);
  });

  it('never loses an event: recorded while dispatcher and receiver are down, delivered once both are back', async () => {
    for (const dispatcher of system.dispatchers) await dispatcher.stop();
    const port = await freePort();
    const id = await submit({ webhook_url: `http://127.0.0.1:${port}/late` });
    const job = await pollUntilDone(system.apiUrl, id);
    expect(job.status).toBe('succeeded');
    expect((await getJob(id)).webhook).toMatchObject({ status: 'pending', attempts: 0 });

    const hooks = await receiver(undefined, port);
    await system.startDispatcher();
    const [request] = await hooks.waitForRequests(1);
    expect(request?.headers['webhook-id']).toBe((await getJob(id)).webhook?.event_id);
    expect(verify(request as ReceivedRequest)).toMatchObject({ type: 'job.succeeded', data: { id } });
    expect(await webhookSettled(id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('exposes delivery metrics and probes', async () => {
    const base = system.dispatcherUrls.at(-1) as string;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/webhook_deliveries_total\{type="job.succeeded",outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/webhook_attempts_total\{outcome="success"\} [1-9]/);
    expect(metrics).toContain('webhook_delivery_latency_seconds_bucket');
    expect(metrics).toMatch(/webhook_queue_jobs\{state="delayed"\} \d/);
  });

  it('delivers job.canceled for a job canceled while queued', async () => {
    // No worker for a moment, so the job surely stays queued until canceled.
    for (const worker of system.workers) await worker.stop();
    const hooks = await receiver();
    const id = await submit({ webhook_url: hooks.url('/canceled') });
    expect((await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' })).status).toBe(200);
    const [request] = await hooks.waitForRequests(1);
    const payload = verify(request as ReceivedRequest);
    expect(payload).toMatchObject({ type: 'job.canceled', data: { id, status: 'canceled', result: null } });
    expect(await webhookSettled(id)).toMatchObject({ status: 'delivered', attempts: 1 });
    await system.startWorker();
    // Canceled means never run: the new worker does not start it.
    const after = await getJob(id);
    expect(after).toMatchObject({ status: 'canceled', started_at: null });
  });

  async function deadLetters(): Promise<Record<string, string>[]> {
    const redis = testRedis();
    try {
      const entries = await redis.xrange(`${system.prefix}:webhook-dead`, '-', '+');
      return entries.map(([, flat]) => {
        const entry: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) entry[flat[i] as string] = flat[i + 1] as string;
        return entry;
      });
    } finally {
      redis.disconnect();
    }
  }
});
