import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { loadEnv } from '@infer/config';
import { ERROR_CODES, type JobView } from '@infer/contracts';
import { redisKeys, type WorkerRegistry } from '@infer/job-store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, openApiDocument } from '../../apps/api/src/app.ts';
import { JobEvents } from '../../apps/api/src/jobs/job-events.ts';
import { ModelCatalog } from '../../apps/api/src/models/model-catalog.ts';
import { PAGE_ROUTES } from '../../apps/api/src/platform/pages.route.ts';
import { type ApiServices, createApiServices } from '../../apps/api/src/services.ts';
import { createLogger } from '../../packages/logger/src/index.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { fetchConforming, OpenApiConformance } from '../support/openapi-conformance.ts';
import { ROOT } from '../support/processes.ts';
import { deletePrefix, testRedis, uniquePrefix } from '../support/redis.ts';
import { sseEvents } from '../support/sse.ts';

type Express = ReturnType<typeof createApp>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Every method + path registered on the Express app, as OpenAPI templates (`/v1/jobs/{id}`). */
function registeredRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          const template = `${prefix}${path}`.replace(/\\:/g, ':').replace(/(^|\/):([A-Za-z0-9_]+)/g, '$1{$2}');
          for (const method of METHODS)
            if (layer.route.methods[method]) found.push(`${method.toUpperCase()} ${template}`);
        }
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(found)].sort();
}

function documentedRoutes(): string[] {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => (METHODS as readonly string[]).includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

/**
 * The OpenAPI document against the real app (built in-process on real Redis,
 * no worker): every registered route is documented and every documented one
 * registered, and real answers to valid and invalid requests validate against
 * the schema documented for their status (ajv, JSON Schema 2020-12).
 */
describe('OpenAPI document matches the app', () => {
  const prefix = uniquePrefix('openapi');
  const conformance = new OpenApiConformance();
  let redis: Redis;
  let services: ApiServices;
  let events: JobEvents;
  let registry: WorkerRegistry;
  let app: Express;
  let server: ReturnType<Express['listen']>;
  let base: string;
  const call = <T = unknown>(path: string, init?: RequestInit) =>
    fetchConforming<T>(conformance, `${base}${path}`, init);

  beforeAll(async () => {
    redis = testRedis();
    const env = loadEnv({
      QUEUE_PREFIX: prefix,
      MAX_UPLOAD_BYTES: String(64 * 1024),
      LOG_LEVEL: 'silent',
      WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
    });
    const logger = createLogger({ name: 'api-test', level: 'silent' });
    const catalog = ModelCatalog.fromRepository(`${ROOT}/models`);
    events = new JobEvents(
      () => testRedis(),
      redisKeys(prefix).shards.map((shard) => shard.jobEvents),
      logger,
    );
    services = createApiServices(env, { redis, logger, catalog, events });
    registry = services.workers;
    app = createApp(services);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await services?.close();
    await events?.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('documents exactly the routes registered on the app', () => {
    // The console and /docs are pages for people, not API operations.
    const pages = Object.values(PAGE_ROUTES).map((route) => `GET ${route}`);
    const registered = registeredRoutes(app).filter((route) => !pages.includes(route));
    expect(registered.length).toBeGreaterThan(8);
    expect(registered).toEqual(documentedRoutes());
  });

  it('is served at /openapi.json, OpenAPI 3.1, with unique operation ids and resolvable references', async () => {
    const served = await call<Record<string, unknown>>('/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect(served.body.openapi).toBe('3.1.0');
    const operations = Object.values(served.body.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((ops) => Object.values(ops))
      .map((op) => op.operationId);
    expect(new Set(operations).size).toBe(operations.length);
    const schemas = (served.body.components as { schemas: Record<string, unknown> }).schemas;
    for (const [, target] of JSON.stringify(served.body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(Object.keys(schemas)).toContain(target);
    }
  });

  it('real answers, successes and errors, validate against the documented schema for their status', async () => {
    const png = await solidImage(COLOURS.green, 'png', 32);
    const form = (fields: Record<string, string | Blob>) => {
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.set(name, value);
      return body;
    };
    const post = (path: string, body: RequestInit['body'], headers: Record<string, string> = {}) =>
      call<JobView & { error: { code: string } }>(path, { method: 'POST', body, headers });
    const json = (value: unknown) => JSON.stringify(value);
    const JSON_TYPE = { 'content-type': 'application/json' };

    // Open routes.
    expect((await call('/healthz')).status).toBe(200);
    expect((await call('/readyz')).status).toBe(503); // no worker
    // What a worker writes on start-up; readiness only reads it.
    const now = new Date().toISOString();
    await registry.beat(
      {
        id: `w-${prefix}`,
        hostname: 'test',
        pid: process.pid,
        models: [{ name: 'plant-pathology', versions: ['1'] }],
        execution_provider: 'cpu',
        started_at: now,
        seen_at: now,
      },
      60_000,
    );
    expect((await call('/readyz')).status).toBe(200);
    expect((await call('/metrics')).status).toBe(200);

    // Submissions in every accepted form.
    const multipart = await post('/v1/jobs', form({ image: new Blob([png]), model: 'plant-pathology' }));
    expect(multipart.status).toBe(202);
    const base64 = await post('/v1/jobs', json({ image_base64: png.toString('base64'), priority: 7 }), JSON_TYPE);
    expect(base64.status).toBe(202);
    const raw = await post('/v1/jobs', png, { 'content-type': 'image/png', Prefer: 'wait=0' });
    expect(raw.status).toBe(202);
    expect(raw.headers.get('preference-applied')).toBe('wait=0');
    const keyed = { ...JSON_TYPE, 'Idempotency-Key': `k-${prefix}` };
    expect((await post('/v1/jobs', json({ image_base64: png.toString('base64') }), keyed)).status).toBe(202);
    expect((await post('/v1/jobs', json({ image_base64: png.toString('base64') }), keyed)).status).toBe(200);
    const batch = await call<{ jobs: JobView[] }>('/v1/jobs:batch', {
      method: 'POST',
      headers: JSON_TYPE,
      body: json({ images: [{ image_base64: png.toString('base64') }, { image_base64: png.toString('base64') }] }),
    });
    expect(batch.status).toBe(202);
    expect(batch.body.jobs).toHaveLength(2);
    // The metrics label shows the path as clients write it, not Express's escaped pattern.
    const exposition = (await call<string>('/metrics')).body;
    expect(exposition).toContain('route="/v1/jobs:batch",status="202"');

    // Submission errors, one per cause.
    const codes = async (response: Promise<{ status: number; body: { error: { code: string } } }>) => {
      const { status, body } = await response;
      return [status, body.error.code];
    };
    expect(await codes(post('/v1/jobs', form({ model: 'plant-pathology' })))).toEqual([400, 'missing_image']);
    expect(await codes(post('/v1/jobs', form({ image: new Blob([png]), model: 'nope' })))).toEqual([
      400,
      'unknown_model',
    ]);
    expect(await codes(post('/v1/jobs', '{"image_base64":', JSON_TYPE))).toEqual([400, 'invalid_request']);
    expect(await codes(post('/v1/jobs', 'hello', { 'content-type': 'text/plain' }))).toEqual([
      415,
      'unsupported_media_type',
    ]);
    const big = await solidImage(COLOURS.green, 'png', 1);
    const tooLarge = Buffer.concat([big, Buffer.alloc(128 * 1024)]);
    expect(await codes(post('/v1/jobs', form({ image: new Blob([tooLarge]) })))).toEqual([413, 'payload_too_large']);

    // Reading, streaming, canceling.
    const id = multipart.body.id;
    const read = await call<JobView>(`/v1/jobs/${id}`, { headers: { Prefer: 'wait=1' } });
    expect(read.body.status).toBe('queued');
    expect(await codes(call(`/v1/jobs/does-not-exist`))).toEqual([404, 'job_not_found']);
    const stream = await fetch(`${base}/v1/jobs/${id}/events`);
    expect(stream.status).toBe(200);
    const reader = sseEvents(stream);
    const first = await reader.next();
    await reader.return(undefined); // hangs up: the server must drop its listener
    expect(
      conformance.problems('GET', `/v1/jobs/${id}`, 200, 'application/json', JSON.parse(first.value?.data ?? '')),
    ).toEqual([]);
    conformance.seen.add('GET /v1/jobs/{id}/events 200');
    const canceled = await call<JobView>(`/v1/jobs/${id}`, { method: 'DELETE' });
    expect(canceled.body.status).toBe('canceled');
    expect((await call(`/v1/jobs/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    expect((await call(`/v1/jobs/${id}/events`, { headers: { 'Last-Event-ID': 'canceled' } })).status).toBe(204);

    // Listing, and the Replicate-compatible surface over the same jobs.
    const listed = await call<{ jobs: JobView[]; next_cursor: string | null }>('/v1/jobs?limit=2');
    expect(listed.status).toBe(200);
    expect(listed.body.jobs).toHaveLength(2);
    expect(await codes(call('/v1/jobs?limit=0'))).toEqual([400, 'invalid_request']);
    const dataUri = `data:image/png;base64,${png.toString('base64')}`;
    const prediction = await call<{ id: string; status: string }>('/v1/predictions', {
      method: 'POST',
      headers: JSON_TYPE,
      body: json({ version: 'plant-pathology', input: { image: dataUri } }),
    });
    expect(prediction.status).toBe(201);
    expect(prediction.body.status).toBe('starting');
    const viaModel = await call('/v1/models/infer/plant-pathology/predictions', {
      method: 'POST',
      headers: JSON_TYPE,
      body: json({ input: { image: dataUri } }),
    });
    expect(viaModel.status).toBe(201);
    expect((await call(`/v1/predictions/${prediction.body.id}`)).status).toBe(200);
    expect((await call('/v1/predictions')).status).toBe(200);
    expect((await call(`/v1/predictions/${prediction.body.id}/cancel`, { method: 'POST' })).status).toBe(200);
    expect((await call('/v1/models/infer/plant-pathology')).status).toBe(200);
    expect(await codes(call('/v1/models/someone/plant-pathology'))).toEqual([404, 'model_not_found']);
    expect((await call('/v1/webhooks/default/secret')).status).toBe(200);
    const upload = await call<{ id: string }>('/v1/files', {
      method: 'POST',
      body: form({ content: new Blob([png]) }),
    });
    expect(upload.status).toBe(201);
    expect((await call(`/v1/files/${upload.body.id}`)).status).toBe(200);
    const download = await fetch(`${base}/v1/files/${upload.body.id}/download`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(png);
    conformance.seen.add('GET /v1/files/{id}/download 200');
    expect((await call(`/v1/files/${upload.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await codes(call(`/v1/files/${upload.body.id}`))).toEqual([404, 'file_not_found']);
    expect(
      await codes(
        call('/v1/predictions', {
          method: 'POST',
          headers: JSON_TYPE,
          body: json({ version: 'plant-pathology', input: { image: dataUri, extra: 1 } }),
        }),
      ),
    ).toEqual([400, 'invalid_request']);

    // Models and the generic 404.
    expect((await call('/v1/models')).status).toBe(200);
    expect((await call('/v1/models/plant-pathology')).status).toBe(200);
    expect(await codes(call('/v1/models/nope'))).toEqual([404, 'model_not_found']);
    // Routing (auth off: open) and the reload call.
    expect((await call('/v1/models/plant-pathology/routing')).status).toBe(200);
    const routing = (body: unknown): RequestInit => ({
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect((await call('/v1/models/plant-pathology/routing', routing({ default_version: '1' }))).status).toBe(200);
    expect(await codes(call('/v1/models/plant-pathology/routing', routing({ default_version: '9' })))).toEqual([
      400,
      'invalid_request',
    ]);
    expect((await call('/v1/models:reload', { method: 'POST' })).status).toBe(202);
    expect(await codes(call('/no/such/route'))).toEqual([404, 'route_not_found']);
    expect(await codes(call('/v1/jobs/does-not-exist/webhook/redeliver', { method: 'POST' }))).toEqual([
      404,
      'job_not_found',
    ]);

    // Every documented operation was exercised with a success answer.
    const succeeded = new Set(
      [...conformance.seen].filter((s) => / 2\d\d$/.test(s)).map((s) => s.replace(/ \d+$/, '')),
    );
    // Redelivery succeeds only after the webhook dispatcher delivered once (its own tests); its 404 is checked above.
    const exempt = ['GET /openapi.json', 'POST /v1/jobs/{id}/webhook/redeliver'];
    const untested = documentedRoutes().filter((route) => !succeeded.has(route) && !exempt.includes(route));
    expect(untested).toEqual([]);
  });

  it('rejects an answer that strays from the document (the check can fail)', () => {
    const job = { id: 'x', status: 'queued' };
    expect(conformance.problems('GET', '/v1/jobs/x', 200, 'application/json', job).join()).toMatch(/required/);
    expect(conformance.problems('GET', '/v1/jobs/x', 418, 'application/json', {}).join()).toMatch(/not documented/);
    const limited = { error: { code: 'rate_limited', message: 'm' } };
    expect(conformance.problems('GET', '/v1/jobs/x', 429, 'application/json', limited)).toEqual([]);
    // queue_full is a 429 of submissions only: documented codes are per operation.
    const wrongCode = { error: { code: 'queue_full', message: 'm' } };
    expect(conformance.problems('GET', '/v1/jobs/x', 429, 'application/json', wrongCode).join()).toMatch(/allowed/);
    expect(conformance.problems('GET', '/nowhere', 500, 'application/json', wrongCode).join()).toMatch(/undocumented/);
  });

  it('passes @redocly/cli lint with no errors and @apidevtools/swagger-parser validation', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify((await call<Record<string, unknown>>('/openapi.json')).body));
      const lint = spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', file, '--format=json'],
        { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      );
      const report = JSON.parse(lint.stdout) as { problems: { severity: string; ruleId: string; message: string }[] };
      expect(report.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
      expect(lint.status, lint.stderr).toBe(0);
      await expect(SwaggerParser.validate(file)).resolves.toBeTruthy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("docs/api.md's error table lists every API error code with its status, and only those; it names every job failure code", () => {
    const readme = readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
    const table = Object.fromEntries(
      [...readme.matchAll(/^\| `([a-z_]+)` +\| (\d{3}) +\|/gm)].map(([, code, status]) => [code, Number(status)]),
    );
    // Codes only a failed job carries (in `error.code`), documented in the paragraph below the table.
    const jobFailures = ['invalid_image', 'image_too_large', 'image_missing', 'inference_failed', 'job_timeout'];
    const answered = Object.entries(ERROR_CODES).filter(
      ([code]) => ![...jobFailures, 'deadline_exceeded'].includes(code),
    );
    expect(table).toEqual(Object.fromEntries(answered));
    for (const code of [...jobFailures, 'deadline_exceeded', 'unknown_model']) expect(readme).toContain(`\`${code}\``);
  });
});
