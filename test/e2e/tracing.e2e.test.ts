import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { JobView, WebhookPayload } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone } from '../support/jobs-client.ts';
import { OtlpReceiver, type ReceivedSpan, SPAN_KIND } from '../support/otlp-receiver.ts';
import { ServiceProcess } from '../support/processes.ts';
import { testRedisUrl } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Tracing end to end: API, worker and dispatcher as real processes exporting OTLP/HTTP JSON to
 * a receiver standing in for a collector, configured by the standard OTEL_* variables only.
 */

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const traceparentOf = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

/** The chain of a span's ancestors within what the receiver holds, nearest first. */
function ancestors(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

/** The span tree as indented lines (for failure messages and the operations docs). */
function tree(spans: readonly ReceivedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number) => {
    const level = [...(children.get(parent) ?? [])].sort((a, b) => (a.startNanos < b.startNanos ? -1 : 1));
    for (const span of level) {
      lines.push(`${'  '.repeat(depth)}${span.name} [${span.service}]`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines.join('\n');
}

const OPENMETRICS = { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' };

/** The first worker's /metrics (its probe port, from its JSON log). */
function workerMetricsUrl(system: TestSystem): string {
  const port = /"port":(\d+),"msg":"probes listening"/.exec(system.workers[0]?.logs ?? '')?.[1];
  return `http://127.0.0.1:${port}/metrics`;
}

async function submit(
  apiUrl: string,
  image: Buffer,
  headers: Record<string, string>,
  fields: Record<string, string>,
): Promise<string> {
  const form = new FormData();
  form.set('image', new Blob([image]), 'leaf.png');
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  const response = await fetch(`${apiUrl}/v1/jobs`, { method: 'POST', body: form, headers });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

describe('tracing on (OTLP/HTTP JSON to a receiver)', () => {
  let otlp: OtlpReceiver;
  let hooks: WebhookReceiver;
  let system: TestSystem;
  let image: Buffer;

  beforeAll(async () => {
    image = await solidImage(COLOURS.green);
    otlp = await OtlpReceiver.start();
    hooks = await WebhookReceiver.start();
    system = await TestSystem.start({
      dispatcher: true,
      env: {
        SSRF_ALLOWLIST: '127.0.0.1',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        LOG_FORMAT: 'json',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await hooks?.close();
    await otlp?.close();
  });

  it('makes one trace of a job across the three processes, continuing the client traceparent', async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    const id = await submit(
      system.apiUrl,
      image,
      { traceparent: traceparentOf(traceId, clientSpan) },
      { webhook_url: hooks.url('/traced') },
    );
    const job = await pollUntilDone(system.apiUrl, id);
    expect(job.status).toBe('succeeded');
    expect(job.trace_id).toBe(traceId);

    const [request] = await hooks.waitForRequests(1);
    expect(request?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const payload = JSON.parse(request?.body ?? '{}') as WebhookPayload;
    expect(payload.data.trace_id).toBe(traceId);

    const deliverySpanId = request?.headers.traceparent?.toString().split('-')[2];
    await expect
      .poll(() => otlp.trace(traceId).some((s) => s.spanId === deliverySpanId), { timeout: 15_000 })
      .toBe(true);
    const spans = otlp.trace(traceId);
    const shape = `${tree(spans)}\n--- logs ---\n${system.logs().slice(-3000)}`;
    console.info(`span tree of one job:\n${tree(spans)}`);

    expect(new Set(spans.map((s) => s.service)), shape).toEqual(new Set(['api', 'worker', 'webhook-dispatcher']));
    // The API's request span continues the client's.
    const server = spans.find((s) => s.service === 'api' && s.kind === SPAN_KIND.server);
    expect(server?.parentSpanId, shape).toBe(clientSpan);
    // The worker's span is a descendant of the request, through BullMQ's add.
    const processing = spans.find((s) => s.service === 'worker' && s.name.startsWith('process {inference.'));
    expect(processing, shape).toBeDefined();
    const chain = ancestors(processing as ReceivedSpan, spans);
    expect(
      chain.map((s) => s.spanId),
      shape,
    ).toContain(server?.spanId);
    expect(chain[0]?.name, shape).toMatch(/^add \{inference\./);
    // Our spans, inside the worker's.
    for (const name of ['decode and resize', 'batch wait', 'inference', 'job-store start', 'job-store succeed']) {
      const span = spans.find((s) => s.name === name);
      expect(span, `${name}\n${shape}`).toBeDefined();
      expect(
        ancestors(span as ReceivedSpan, spans).map((s) => s.spanId),
        shape,
      ).toContain(processing?.spanId);
    }
    expect(spans.find((s) => s.name === 'inference')?.attributes, shape).toMatchObject({
      'infer.model': job.model,
      'infer.model.version': job.model_version,
      'infer.batch.size': 1,
      'infer.execution_provider': job.execution_provider,
    });
    expect(
      spans.some((s) => s.service === 'api' && s.name === 'job-store create'),
      shape,
    ).toBe(true);
    // The delivery: the webhook's POST is the client span whose id the receiver got, under
    // the delivery's process span, in the same trace.
    const post = spans.find((s) => s.spanId === deliverySpanId);
    expect(post, shape).toMatchObject({ service: 'webhook-dispatcher', kind: SPAN_KIND.client });
    const deliveryChain = ancestors(post as ReceivedSpan, spans).map((s) => s.name);
    expect(deliveryChain, shape).toEqual(
      expect.arrayContaining(['webhook deliver', 'process {webhooks}', 'add {webhooks}.deliver']),
    );
    // Never image bytes or results in attributes.
    for (const span of spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        expect(String(value).length, `${span.name} ${key}`).toBeLessThan(512);
      }
    }
  });

  it("links the worker's latency buckets to the job's trace (exemplars, served as OpenMetrics only)", async () => {
    const job = await pollUntilDone(system.apiUrl, await submit(system.apiUrl, image, {}, {}));
    const scraped = await fetch(workerMetricsUrl(system), { headers: OPENMETRICS });
    expect(scraped.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const openMetrics = await scraped.text();
    expect(openMetrics.endsWith('# EOF\n')).toBe(true);
    for (const histogram of ['worker_job_duration_seconds', 'worker_stage_seconds']) {
      const linked = openMetrics
        .split('\n')
        .filter((line) => line.startsWith(`${histogram}_bucket{`) && line.includes(`trace_id="${job.trace_id}"`));
      expect(linked.length, histogram).toBeGreaterThan(0);
      for (const line of linked)
        expect(line).toMatch(/ # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} [\d.e-]+ [\d.]+$/);
    }
    expect(openMetrics).toMatch(/^worker_jobs_total\{/m);

    // Any other scraper (KEDA, promtool) gets the text format as before, even after an OpenMetrics scrape.
    const text = await (await fetch(workerMetricsUrl(system))).text();
    expect(text).not.toContain('# {');
    expect(text).not.toContain('# EOF');
    expect(text).toMatch(/^# TYPE worker_jobs_total counter$/m);
    const lint = spawnSync(process.env.PROMTOOL_PATH ?? '/usr/bin/promtool', ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
    });
    const problems = (lint.stdout + lint.stderr).split('\n').filter((line) => line && !line.includes('nodejs_active_'));
    expect(problems).toEqual([]);
  });

  it('writes trace_id and span_id on log lines made inside a trace', async () => {
    const traceId = hex(16);
    const id = await submit(system.apiUrl, image, { traceparent: traceparentOf(traceId, hex(8)) }, {});
    await pollUntilDone(system.apiUrl, id);
    const lines = (system.workers[0]?.logs ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = lines.find((line) => line.msg === 'job started' && line.jobId === id);
    expect(started, system.logs().slice(-3000)).toMatchObject({
      trace_id: traceId,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('gives each job of a batch a trace of its own, linked to the request', async () => {
    const traceId = hex(16);
    const response = await fetch(system.url('/v1/jobs:batch'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: traceparentOf(traceId, hex(8)) },
      body: JSON.stringify({ images: [0, 1].map(() => ({ image_base64: image.toString('base64') })) }),
    });
    expect(response.status).toBe(202);
    const { jobs } = (await response.json()) as { jobs: JobView[] };
    const done = await Promise.all(jobs.map((job) => pollUntilDone(system.apiUrl, job.id)));
    const traces = done.map((job) => job.trace_id);
    expect(new Set(traces).size).toBe(2);
    expect(traces).not.toContain(traceId);
    for (const jobTrace of traces) {
      await expect
        .poll(() => otlp.trace(jobTrace ?? '').some((s) => s.service === 'worker' && s.name.startsWith('process ')), {
          timeout: 15_000,
        })
        .toBe(true);
      const spans = otlp.trace(jobTrace ?? '');
      const root = spans.find((s) => s.name === 'job' && s.parentSpanId === '');
      expect(
        root?.links.map((link) => link.traceId),
        tree(spans),
      ).toEqual([traceId]);
      const processing = spans.find((s) => s.service === 'worker' && s.name.startsWith('process '));
      expect(processing?.parentSpanId, tree(spans)).toBe(root?.spanId);
    }
    // The request's own trace holds the submission, not the jobs' work.
    expect(otlp.trace(traceId).some((s) => s.service === 'worker')).toBe(false);
  });

  it('exports the spans still buffered when a process shuts down', async () => {
    const port = await freePort();
    const api = new ServiceProcess('api-2', 'apps/api/src/main.ts', {
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: system.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Nothing would leave before the process ends but for the shutdown step.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    try {
      await api.waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const traceId = hex(16);
      await submit(`http://127.0.0.1:${port}`, image, { traceparent: traceparentOf(traceId, hex(8)) }, {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(otlp.trace(traceId).filter((s) => s.service === 'api')).toEqual([]);
      expect(await api.stop('SIGTERM')).toBe(0);
      expect(otlp.trace(traceId).some((s) => s.service === 'api' && s.kind === SPAN_KIND.server)).toBe(true);
    } finally {
      await api.stop('SIGKILL');
    }
  });

  it('keeps traces bounded while the stalled-job checkers run (no span parented to them)', async () => {
    const traceId = hex(16);
    const id = await submit(system.apiUrl, image, { traceparent: traceparentOf(traceId, hex(8)) }, {});
    await pollUntilDone(system.apiUrl, id);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last batch exported
    const settled = otlp.trace(traceId).length;
    // Several stalled checks per process (every 5 s) and blocking fetches of the main loops.
    await new Promise((resolve) => setTimeout(resolve, 25_000));
    expect(otlp.trace(traceId).length).toBe(settled);
    const checks = otlp.spans.filter((s) => s.name.startsWith('moveStalledJobsToWait'));
    expect(checks.length).toBeGreaterThan(3);
    const children = new Set(checks.map((s) => s.spanId));
    expect(otlp.spans.filter((s) => children.has(s.parentSpanId) && !s.name.startsWith('evalsha'))).toEqual([]);
    for (const check of checks) expect(check.parentSpanId).toBe('');
    const sizes = new Map<string, number>();
    for (const span of otlp.spans) sizes.set(span.traceId, (sizes.get(span.traceId) ?? 0) + 1);
    expect(Math.max(...sizes.values())).toBeLessThan(100);
  }, 60_000);
});

describe('tracing off (no exporter configured)', () => {
  let system: TestSystem;
  let hooks: WebhookReceiver;
  /** On the SDK's default endpoint, where a wrongly started SDK would send (null if the port is taken). */
  let defaultEndpoint: OtlpReceiver | null;
  let image: Buffer;

  beforeAll(async () => {
    image = await solidImage(COLOURS.green);
    defaultEndpoint = await OtlpReceiver.start(4318).catch(() => null);
    hooks = await WebhookReceiver.start();
    system = await TestSystem.start({
      dispatcher: true,
      env: { SSRF_ALLOWLIST: '127.0.0.1', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', LOG_FORMAT: 'json' },
    });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await hooks?.close();
    await defaultEndpoint?.close();
  });

  it('sends nothing, shows no trace_id and no traceparent, and works as before', async () => {
    const id = await submit(
      system.apiUrl,
      image,
      { traceparent: traceparentOf(hex(16), hex(8)) },
      { webhook_url: hooks.url('/untraced') },
    );
    const job = await pollUntilDone(system.apiUrl, id);
    expect(job.status).toBe('succeeded');
    expect(job.trace_id).toBeNull();
    const [request] = await hooks.waitForRequests(1);
    expect(request?.headers.traceparent).toBeUndefined();
    expect(system.logs()).not.toContain('"trace_id"');
    const scraped = await fetch(workerMetricsUrl(system), { headers: OPENMETRICS });
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scraped.text()).not.toContain('# {');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(defaultEndpoint?.posts ?? []).toEqual([]);
  });
});
