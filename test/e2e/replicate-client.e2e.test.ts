import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobView } from '@infer/contracts';
import Replicate, { validateWebhook } from 'replicate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { ROOT } from '../support/processes.ts';
import { TestSystem } from '../support/system.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

interface ReplicateModel {
  url: string;
  owner: string;
  name: string;
  description: string | null;
  visibility: string;
  latest_version: { id: string };
}

/** The reference model, and a copy of it under another name: a repository of two models. */
function twoModelRepository(): string {
  const repository = mkdtempSync(path.join(tmpdir(), 'infer-replicate-'));
  const reference = path.join(ROOT, 'models', 'plant-pathology');
  cpSync(reference, path.join(repository, 'plant-pathology'), { recursive: true });
  cpSync(reference, path.join(repository, 'leaf-copy'), { recursive: true });
  const config = JSON.parse(readFileSync(path.join(reference, 'model.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    path.join(repository, 'leaf-copy', 'model.json'),
    JSON.stringify({ ...config, name: 'leaf-copy', description: 'A copy of the reference model' }),
  );
  return repository;
}

interface Prediction {
  id: string;
  status: string;
  model: string;
  version: string;
  output: { predictions: { label: string; score: number }[] } | null;
  error: string | null;
  logs: string;
  metrics: { predict_time?: number };
  urls: { get: string; cancel: string };
}

/**
 * Replicate's own npm client (unchanged, as a dev dependency) with `baseUrl`
 * pointed at our API: run() with a Buffer (its upload path) and a data URI,
 * create + wait, cancel of a queued prediction, list across pages, a webhook it
 * verifies, a 429 it retries. Real API, workers, dispatcher and Redis.
 */
describe("Replicate's client against our API (real processes)", () => {
  const key = randomBytes(24).toString('base64url');
  let system: TestSystem;
  let hooks: WebhookReceiver;
  let replicate: Replicate;
  let repository: string;
  let green: Buffer;
  let rust: Buffer;

  beforeAll(async () => {
    green = await solidImage(COLOURS.green, 'png', 64);
    rust = await solidImage(COLOURS.orangeBrown, 'jpeg', 64);
    hooks = await WebhookReceiver.start();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    repository = twoModelRepository();
    system = await TestSystem.start({
      dispatcher: true,
      env: {
        MODEL_REPOSITORY: repository,
        API_KEYS: `replicate:${createHash('sha256').update(key).digest('hex')}`,
        WEBHOOK_SECRET: secret,
        SSRF_ALLOWLIST: `127.0.0.1:${hooks.port}`,
        LIST_PAGE_SIZE: '2',
      },
    });
    replicate = new Replicate({ auth: key, baseUrl: system.url('/v1') });
  });
  afterAll(async () => {
    await system?.stop();
    await hooks?.close();
    if (repository) rmSync(repository, { recursive: true, force: true });
  });

  it('run() with a Buffer uploads it through /v1/files and answers the output', async () => {
    const output = (await replicate.run('infer/plant-pathology', { input: { image: rust } })) as Prediction['output'];
    expect(output?.predictions[0]?.label).toBe('rust');
  });

  it('run() with a data URI and a version, as owner/name:version', async () => {
    const model = await replicate.models.get('infer', 'plant-pathology');
    expect(model).toMatchObject({ owner: 'infer', name: 'plant-pathology' });
    const version = (model as unknown as { latest_version: { id: string } }).latest_version.id;
    expect(version).toMatch(/^[0-9a-f]{64}$/);
    const image = `data:image/png;base64,${green.toString('base64')}`;
    const output = (await replicate.run(`infer/plant-pathology:${version}`, {
      input: { image },
    })) as Prediction['output'];
    expect(output?.predictions[0]?.label).toBe('healthy');
  });

  it('predictions.create then wait; the same job shows in /v1/jobs', async () => {
    const created = (await replicate.predictions.create({
      model: 'infer/plant-pathology',
      input: { image: `data:image/jpeg;base64,${rust.toString('base64')}` },
    })) as unknown as Prediction;
    expect(['starting', 'processing', 'succeeded']).toContain(created.status);
    expect(created.urls.get).toBe(system.url(`/v1/predictions/${created.id}`));
    const done = (await replicate.wait(created as never, { interval: 100 })) as unknown as Prediction;
    expect(done).toMatchObject({ id: created.id, status: 'succeeded', error: null, model: 'infer/plant-pathology' });
    expect(done.output?.predictions[0]?.label).toBe('rust');
    expect(done.metrics.predict_time).toBeGreaterThan(0);
    const job = (await (
      await fetch(system.url(`/v1/jobs/${created.id}`), { headers: { authorization: `Bearer ${key}` } })
    ).json()) as JobView;
    expect(job).toMatchObject({ id: created.id, status: 'succeeded', model: 'plant-pathology' });
    expect(job.result).toEqual(done.output);
  });

  it('cancels a queued prediction, which then never runs', async () => {
    // No worker for a while: the prediction stays queued ("starting").
    for (const worker of system.workers) await worker.stop('SIGTERM');
    try {
      const created = (await replicate.predictions.create({
        model: 'infer/plant-pathology',
        input: { image: `data:image/png;base64,${green.toString('base64')}` },
      })) as unknown as Prediction;
      expect(created.status).toBe('starting');
      const canceled = (await replicate.predictions.cancel(created.id)) as unknown as Prediction;
      expect(canceled.status).toBe('canceled');
      expect(((await replicate.predictions.get(created.id)) as unknown as Prediction).status).toBe('canceled');
    } finally {
      await system.startWorker();
    }
  });

  it('lists predictions newest first across cursor pages', async () => {
    const pages: Prediction[][] = [];
    for await (const page of replicate.paginate(replicate.predictions.list))
      pages.push(page as unknown as Prediction[]);
    const all = pages.flat();
    // Four so far (run twice, create, cancel), two per page (LIST_PAGE_SIZE).
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((p) => p.id)).size).toBe(4);
    expect(all[0]?.status).toBe('canceled');
    const ids = all.map((p) => p.id);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('models.list() answers every model as Replicate does, each with its latest version', async () => {
    const page = (await replicate.models.list()) as unknown as {
      results: ReplicateModel[];
      next: string | null;
      previous: string | null;
    };
    expect(page).toMatchObject({ next: null, previous: null });
    const byName = new Map(page.results.map((model) => [model.name, model]));
    expect([...byName.keys()].sort()).toEqual(['leaf-copy', 'plant-pathology']);
    expect(byName.get('leaf-copy')).toMatchObject({
      owner: 'infer',
      description: 'A copy of the reference model',
      visibility: 'public',
      url: system.url('/v1/models/infer/leaf-copy'),
    });
    // Each entry is the model as models.get() answers it: the version ids are the same.
    for (const model of page.results) {
      expect(model.latest_version.id).toMatch(/^[0-9a-f]{64}$/);
      expect(await replicate.models.get('infer', model.name)).toEqual(model);
    }
    // Our own view is still in the same answer.
    const own = (await (
      await fetch(system.url('/v1/models'), { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { models: { name: string; default_version: string }[] };
    expect(own.models.map((model) => model.name).sort()).toEqual(['leaf-copy', 'plant-pathology']);
  });

  it('paginate(models.list) finds every model, and a prediction runs on the version it names', async () => {
    const pages: ReplicateModel[][] = [];
    for await (const page of replicate.paginate(replicate.models.list)) pages.push(page as unknown as ReplicateModel[]);
    expect(pages).toHaveLength(1);
    const copy = pages.flat().find((model) => model.name === 'leaf-copy');
    expect(
      pages
        .flat()
        .map((model) => `${model.owner}/${model.name}`)
        .sort(),
    ).toEqual(['infer/leaf-copy', 'infer/plant-pathology']);
    const output = (await replicate.run(`infer/leaf-copy:${copy?.latest_version.id}`, {
      input: { image: `data:image/png;base64,${green.toString('base64')}` },
    })) as Prediction['output'];
    expect(output?.predictions[0]?.label).toBe('healthy');
  });

  it('delivers a webhook as the prediction, signed so that validateWebhook accepts it', async () => {
    const secret = (await replicate.webhooks.default.secret.get()) as { key: string };
    expect(secret.key).toMatch(/^whsec_/);
    const created = (await replicate.predictions.create({
      model: 'infer/plant-pathology',
      input: { image: `data:image/png;base64,${green.toString('base64')}` },
      webhook: hooks.url('/replicate'),
      webhook_events_filter: ['completed'],
    })) as unknown as Prediction;
    const [request] = await hooks.waitForRequests(1);
    const headers = request?.headers as Record<string, string>;
    const signed = (body: string) => ({
      id: headers['webhook-id'] as string,
      timestamp: headers['webhook-timestamp'] as string,
      signature: headers['webhook-signature'] as string,
      body,
      secret: secret.key,
    });
    expect(await validateWebhook(signed(request?.body as string))).toBe(true);
    expect(await validateWebhook(signed(`${request?.body} `))).toBe(false);
    const delivered = JSON.parse(request?.body as string) as Prediction;
    expect(delivered).toMatchObject({ id: created.id, status: 'succeeded', model: 'infer/plant-pathology' });
    expect(delivered.output?.predictions[0]?.label).toBe('healthy');
  });

  it('retries a 429 (queue full) and gets through once the queue has room', async () => {
    // A full queue: no worker and MAX_QUEUE_DEPTH 1 with one prediction waiting.
    const small = await TestSystem.start({
      workers: 0,
      env: { API_KEYS: `replicate:${createHash('sha256').update(key).digest('hex')}`, MAX_QUEUE_DEPTH: '1' },
    });
    try {
      const image = `data:image/png;base64,${green.toString('base64')}`;
      const first = (await new Replicate({ auth: key, baseUrl: small.url('/v1') }).predictions.create({
        model: 'infer/plant-pathology',
        input: { image },
      })) as unknown as Prediction;
      // The client's own fetch, observed: on the first 429 the waiting prediction is canceled (room appears),
      // and the answer is held past the API's 250 ms depth cache before the client sees it and retries.
      const answers: { status: number; retryAfter: string | null }[] = [];
      const observed: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/predictions') && init?.method === 'POST') {
          answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
          if (response.status === 429 && answers.length === 1) {
            await fetch(small.url(`/v1/predictions/${first.id}/cancel`), {
              method: 'POST',
              headers: { authorization: `Bearer ${key}` },
            });
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
        }
        return response;
      };
      const client = new Replicate({ auth: key, baseUrl: small.url('/v1'), fetch: observed });
      const created = (await client.predictions.create({
        model: 'infer/plant-pathology',
        input: { image },
      })) as unknown as Prediction;
      expect(answers).toEqual([
        { status: 429, retryAfter: '5' },
        { status: 201, retryAfter: null },
      ]);
      expect(created.status).toBe('starting');
    } finally {
      await small.stop();
    }
  });
});
