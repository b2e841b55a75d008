import type { JobAccepted } from '@infer/contracts';
import { redisKeys } from '@infer/job-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepted, postJson as postJsonTo, refused, SUBMISSION_LIMITS_ENV } from '../support/api-answers.ts';
import { type ImageServer, imageServer } from '../support/image-server.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';

describe('POST /v1/jobs: JSON, raw and multipart bodies, image_url, options (real API, worker, Redis)', () => {
  let system: TestSystem;
  let images: ImageServer;
  let green: Buffer;
  let rust: Buffer;

  beforeAll(async () => {
    green = await solidImage(COLOURS.green, 'png', 64);
    rust = await solidImage(COLOURS.orangeBrown, 'jpeg', 64);
    images = await imageServer(green);
    system = await TestSystem.start({ env: SUBMISSION_LIMITS_ENV });
  });
  afterAll(async () => {
    await system?.stop();
    images?.server.close();
  });

  const postJson = (body: unknown, headers: Record<string, string> = {}, path = '/v1/jobs') =>
    postJsonTo(system.apiUrl, body, headers, path);

  it('accepts JSON with image_base64 and echoes priority and metadata', async () => {
    const metadata = { order: 'A-17', nested: { tags: ['x', 'y'], n: 3 } };
    const job = await accepted(
      await postJson({ image_base64: rust.toString('base64'), model: 'plant-pathology', priority: 7, metadata }),
    );
    const done = await pollUntilDone(system.apiUrl, job.id);
    expect(done).toMatchObject({ status: 'succeeded', priority: 7, metadata, queue_position: null });
    expect(done.result?.predictions[0]?.label).toBe('rust');
    expect(done.timings).toMatchObject({
      queue_ms: expect.any(Number),
      preprocess_ms: expect.any(Number),
      inference_ms: expect.any(Number),
    });
    expect(done.model_version).toBe('1');
  });

  it('accepts a data: URL in image_base64 and the URL-safe alphabet', async () => {
    const a = await accepted(await postJson({ image_base64: `data:image/png;base64,${green.toString('base64')}` }));
    const b = await accepted(await postJson({ image_base64: green.toString('base64url') }));
    for (const { id } of [a, b]) expect((await pollUntilDone(system.apiUrl, id)).status).toBe('succeeded');
  });

  it('accepts a raw image body with options in the query string, whatever its Content-Type says', async () => {
    const response = await fetch(system.url('/v1/jobs?model=plant-pathology&priority=3&metadata=%7B%22k%22%3A1%7D'), {
      method: 'POST',
      headers: { 'content-type': 'image/webp' },
      body: rust,
    });
    const done = await pollUntilDone(system.apiUrl, (await accepted(response)).id);
    expect(done).toMatchObject({ status: 'succeeded', priority: 3, metadata: { k: 1 } });
    expect(done.result?.predictions[0]?.label).toBe('rust');
  });

  it('accepts multipart options: priority, metadata, version, webhook (stored for the dispatcher)', async () => {
    const response = await submitImage(system.apiUrl, green, {
      priority: '50',
      metadata: '{"a":"b"}',
      version: '1',
      webhook_url: images.url('/hook'), // allow-listed: webhook URLs are SSRF-checked at accept time
      webhook_events: 'job.succeeded,job.failed',
    });
    const job = await accepted(response);
    const redis = testRedis();
    try {
      const record = await redis.hgetall(redisKeys(system.prefix).job(job.id));
      expect(record.webhook_url).toBe(images.url('/hook'));
      expect(JSON.parse(record.webhook_events ?? '[]')).toEqual(['job.succeeded', 'job.failed']);
    } finally {
      redis.disconnect();
    }
    expect(await pollUntilDone(system.apiUrl, job.id)).toMatchObject({ priority: 50, metadata: { a: 'b' } });
  });

  it('fetches image_url (allow-listed local server), following a redirect; the bytes decide the type', async () => {
    for (const path of ['/leaf.png', '/redirect']) {
      const done = await pollUntilDone(
        system.apiUrl,
        (await accepted(await postJson({ image_url: images.url(path) }))).id,
      );
      expect(done.status).toBe('succeeded');
      expect(done.result?.predictions[0]?.label).toBe('healthy');
    }
    const form = await submitImage(system.apiUrl, green).then(() => {
      const f = new FormData();
      f.set('image_url', images.url('/leaf.png'));
      return fetch(system.url('/v1/jobs'), { method: 'POST', body: f });
    });
    expect((await pollUntilDone(system.apiUrl, (await accepted(form)).id)).status).toBe('succeeded');
  });

  describe('POST /v1/jobs:batch', () => {
    it('accepts multipart with repeated image fields: one job each, in order', async () => {
      const form = new FormData();
      form.append('image', new Blob([green]), 'a.png');
      form.append('image', new Blob([rust]), 'b.jpg');
      form.set('priority', '5');
      form.set('metadata', '{"batch":"m1"}');
      const response = await fetch(system.url('/v1/jobs:batch'), { method: 'POST', body: form });
      expect(response.status).toBe(202);
      const { jobs } = (await response.json()) as { jobs: JobAccepted[] };
      expect(jobs).toHaveLength(2);
      const done = await Promise.all(jobs.map((job) => pollUntilDone(system.apiUrl, job.id)));
      expect(done.map((job) => job.result?.predictions[0]?.label)).toEqual(['healthy', 'rust']);
      expect(done.every((job) => job.priority === 5 && job.metadata?.batch === 'm1')).toBe(true);
    });

    it('accepts JSON images (base64 and url) with per-item metadata', async () => {
      const response = await postJson(
        {
          model: 'plant-pathology',
          images: [
            { image_base64: rust.toString('base64'), metadata: { i: 0 } },
            { image_url: images.url('/leaf.png'), metadata: { i: 1 } },
          ],
        },
        {},
        '/v1/jobs:batch',
      );
      expect(response.status).toBe(202);
      const { jobs } = (await response.json()) as { jobs: JobAccepted[] };
      const done = await Promise.all(jobs.map((job) => pollUntilDone(system.apiUrl, job.id)));
      expect(done.map((job) => [job.metadata, job.result?.predictions[0]?.label])).toEqual([
        [{ i: 0 }, 'rust'],
        [{ i: 1 }, 'healthy'],
      ]);
    });
  });

  describe('DELETE /v1/jobs/:id', () => {
    it('answers 409 job_not_cancelable for a finished job, 404 for an unknown one', async () => {
      const job = await accepted(await submitImage(system.apiUrl, green));
      await pollUntilDone(system.apiUrl, job.id);
      const body = await refused(
        await fetch(system.url(`/v1/jobs/${job.id}`), { method: 'DELETE' }),
        409,
        'job_not_cancelable',
      );
      expect(body.error.details).toEqual({ status: 'succeeded' });
      await refused(
        await fetch(system.url('/v1/jobs/00000000-0000-4000-8000-000000000000/cancel'), { method: 'POST' }),
        404,
        'job_not_found',
      );
    });
  });

  it('GET /v1/models lists the served models with labels, input size, versions and live workers', async () => {
    const response = await fetch(system.url('/v1/models'));
    expect(response.status).toBe(200);
    const { models } = (await response.json()) as { models: Record<string, unknown>[] };
    expect(models).toEqual([
      expect.objectContaining({
        name: 'plant-pathology',
        labels: ['healthy', 'multiple_diseases', 'rust', 'scab'],
        input: expect.objectContaining({ width: 224, height: 224 }),
        versions: ['1'],
        default_version: '1',
        workers: 1,
        live_versions: ['1'],
        available: true,
      }),
    ]);
  });
});
