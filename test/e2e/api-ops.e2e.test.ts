import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { fetchConforming, OpenApiConformance } from '../support/openapi-conformance.ts';
import { parseExposition, samplesOf, sampleValue } from '../support/prometheus.ts';
import { sseEvents } from '../support/sse.ts';
import { TestSystem } from '../support/system.ts';

const ORDER = ['queued', 'running', 'succeeded'];

/**
 * Prefer: wait, the event stream and /metrics against real processes. The
 * system starts without a worker, so that "not finished yet" is certain, and a
 * worker is started mid-file: waits and streams opened before it must see the
 * job finish (woken by the job-events channel).
 */
describe('Prefer: wait, job event stream and metrics (real API, worker and Redis processes)', () => {
  let system: TestSystem;
  const conformance = new OpenApiConformance();
  const call = <T = unknown>(path: string, init?: RequestInit) =>
    fetchConforming<T>(conformance, system.url(path), init);
  const submit = async (headers: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('image', new Blob([await solidImage(COLOURS.green)]), 'leaf.png');
    return call<JobView>('/v1/jobs', { method: 'POST', body: form, headers });
  };
  const metrics = async () => {
    const response = await call<string>('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(response.body);
  };

  beforeAll(async () => {
    system = await TestSystem.start({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('Prefer: wait=1 without a worker answers the queued job after the wait: 202 on submit, 200 on GET', async () => {
    const submitted = await submit({ Prefer: 'wait=1' });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get('preference-applied')).toBe('wait=1');
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${submitted.body.id}`);
    // The full job view (not only the acceptance), still queued.
    expect(submitted.body).toMatchObject({ status: 'queued', result: null, completed_at: null });

    const read = await call<JobView>(`/v1/jobs/${submitted.body.id}`, { headers: { Prefer: 'respond-async, wait=1' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('preference-applied')).toBe('wait=1');
    expect(read.headers.get('vary')).toMatch(/Prefer/i);
    expect(read.body.status).toBe('queued');

    const plain = await call<JobView>(`/v1/jobs/${submitted.body.id}`);
    expect(plain.headers.get('preference-applied')).toBeNull();
  });

  it('metrics show the waiting jobs of the model queue and no live worker', async () => {
    const samples = await metrics();
    const queue = { queue: 'inference.plant-pathology', model: 'plant-pathology' };
    const pending = ['waiting', 'prioritized'].map((state) =>
      sampleValue(samples, 'inference_queue_jobs', { ...queue, state }),
    );
    expect(pending.every((value) => value !== undefined)).toBe(true);
    expect((pending[0] ?? 0) + (pending[1] ?? 0)).toBeGreaterThanOrEqual(1);
    for (const state of ['active', 'delayed', 'completed', 'failed']) {
      expect(sampleValue(samples, 'inference_queue_jobs', { ...queue, state }), state).toBe(0);
    }
    expect(sampleValue(samples, 'inference_workers_ready')).toBe(0);
    expect(sampleValue(samples, 'inference_workers_alive', { model: 'plant-pathology' })).toBe(0);
    expect(sampleValue(samples, 'inference_jobs_submitted_total', { model: 'plant-pathology' })).toBe(1);
  });

  it('an event stream sends the current state, then each change, and ends after succeeded; a pending wait wakes too', async () => {
    const submitted = await submit();
    expect(submitted.status).toBe(202);
    const id = submitted.body.id;
    const stream = await fetch(system.url(`/v1/jobs/${id}/events`));
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toMatch(/no-cache/);
    conformance.seen.add(`GET /v1/jobs/{id}/events 200`);
    const events = sseEvents(stream);

    const first = await events.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ event: 'status', id: 'queued' });
    const firstJob = JSON.parse(first.value?.data ?? '') as JobView;
    expect(conformance.problems('GET', `/v1/jobs/${id}`, 200, 'application/json', firstJob)).toEqual([]);
    expect(firstJob).toMatchObject({ id, status: 'queued' });

    // A long poll opened before any worker exists: only the job-events channel can wake it early.
    const pollStarted = Date.now();
    const longPoll = call<JobView>(`/v1/jobs/${id}`, { headers: { Prefer: 'wait=60' } });
    await system.startWorker();

    const statuses = ['queued'];
    let last: JobView = firstJob;
    for await (const event of events) {
      expect(event.event).toBe('status');
      last = JSON.parse(event.data) as JobView;
      expect(conformance.problems('GET', `/v1/jobs/${id}`, 200, 'application/json', last)).toEqual([]);
      expect(event.id).toBe(last.status);
      statuses.push(last.status);
    }
    // Each status once, in order; "running" may be skipped only if the job finished before it was read.
    expect(statuses.at(-1), system.logs()).toBe('succeeded');
    expect(statuses).toEqual(ORDER.filter((status) => statuses.includes(status)));
    expect(last.result?.predictions[0]?.label).toBe('healthy');

    const waited = await longPoll;
    // Before its bound: woken by the job's event, not by the end of the wait.
    expect(Date.now() - pollStarted).toBeLessThan(60_000);
    expect(waited.status).toBe(200);
    expect(waited.headers.get('preference-applied')).toBe('wait=60');
    expect(waited.body).toMatchObject({ id, status: 'succeeded' });
  }, 120_000);

  it('Prefer: wait=20 on submit answers 200 with the finished job while a worker runs', async () => {
    const started = Date.now();
    const submitted = await submit({ Prefer: 'wait=20' });
    // Answered before the 20 s bound, i.e. when the job ended (a few ms of inference here).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(submitted.status, system.logs()).toBe(200);
    expect(submitted.headers.get('preference-applied')).toBe('wait=20');
    expect(submitted.body.status).toBe('succeeded');
    expect(submitted.body.result?.predictions[0]?.label).toBe('healthy');
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${submitted.body.id}`);
  });

  it('a stream of a finished job sends its final state and ends; a reconnect after the end is answered 204', async () => {
    const done = await submit({ Prefer: 'wait=20' });
    expect(done.body.status).toBe('succeeded');
    const stream = await fetch(system.url(`/v1/jobs/${done.body.id}/events`));
    const received = [];
    for await (const event of sseEvents(stream)) received.push(event);
    expect(received.map((event) => [event.event, event.id])).toEqual([['status', 'succeeded']]);

    const again = await call(`/v1/jobs/${done.body.id}/events`, { headers: { 'Last-Event-ID': 'succeeded' } });
    expect(again.status).toBe(204);
  });

  it('metrics count requests by route pattern, submissions by model, and the live worker', async () => {
    const samples = await metrics();
    expect(sampleValue(samples, 'inference_workers_ready')).toBe(1);
    expect(sampleValue(samples, 'inference_workers_alive', { model: 'plant-pathology' })).toBe(1);
    expect(sampleValue(samples, 'inference_jobs_submitted_total', { model: 'plant-pathology' })).toBe(4);
    const routes = new Set(samplesOf(samples, 'http_requests_total').map((sample) => sample.labels.route));
    expect([...routes]).toEqual(
      expect.arrayContaining(['/v1/jobs', '/v1/jobs/:id', '/v1/jobs/:id/events', '/metrics']),
    );
    // Route patterns only: a job id in a label would create a series per job.
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-/);
    expect(sampleValue(samples, 'http_requests_total', { method: 'POST', route: '/v1/jobs', status: '200' })).toBe(2);
    expect(sampleValue(samples, 'http_requests_total', { method: 'POST', route: '/v1/jobs', status: '202' })).toBe(2);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/jobs/:id',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_bucket', {
        method: 'POST',
        route: '/v1/jobs',
        status: '202',
        le: '+Inf',
      }),
    ).toBe(2);
    // Every job finished: nothing left waiting or running.
    const queue = { queue: 'inference.plant-pathology', model: 'plant-pathology' };
    for (const state of ['waiting', 'prioritized', 'active']) {
      expect(sampleValue(samples, 'inference_queue_jobs', { ...queue, state }), state).toBe(0);
    }
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });
  it('on SIGTERM the API ends open event streams and waits at once, and exits cleanly', async () => {
    for (const worker of system.workers) await worker.stop();
    const submitted = await submit();
    const id = submitted.body.id;
    const stream = await fetch(system.url(`/v1/jobs/${id}/events`));
    const events = sseEvents(stream);
    expect((await events.next()).value?.id).toBe('queued');
    const started = Date.now();
    const waiting = call<JobView>(`/v1/jobs/${id}`, { headers: { Prefer: 'wait=60' } });
    await expect.poll(async () => sampleValue(await metrics(), 'http_job_watchers')).toBe(2);

    system.api.child.kill('SIGTERM');
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe('queued');
    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest).toEqual([]); // the stream just ends; EventSource reconnects elsewhere
    expect(await system.api.waitForExit(30_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
