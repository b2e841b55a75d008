import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobAccepted, JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

/** A real HTTP server on 127.0.0.1 serving images for image_url. */
async function imageServer(png: Buffer): Promise<{ server: Server; url: (path: string) => string }> {
  const server = createServer((req, res) => {
    if (req.url === '/leaf.png') {
      // A lying Content-Type: the API judges by magic bytes.
      res.writeHead(200, { 'content-type': 'text/plain' }).end(png);
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/leaf.png' }).end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'image/png' }).end('not an image');
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([png, Buffer.alloc(300 * 1024)]));
    } else {
      res.writeHead(404).end('no');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}` };
}

describe('POST /v1/jobs: JSON, raw and multipart bodies, image_url, options (real API, worker, Redis)', () => {
  let system: TestSystem;
  let images: Awaited<ReturnType<typeof imageServer>>;
  let green: Buffer;
  let rust: Buffer;

  beforeAll(async () => {
    green = await solidImage(COLOURS.green, 'png', 64);
    rust = await solidImage(COLOURS.orangeBrown, 'jpeg', 64);
    images = await imageServer(green);
    system = await TestSystem.start({
      env: {
        MAX_UPLOAD_BYTES: String(256 * 1024),
        MAX_BATCH_IMAGES: '4',
        MAX_BATCH_BYTES: String(1024 * 1024),
        SSRF_ALLOWLIST: '127.0.0.1',
        IMAGE_URL_MAX_REDIRECTS: '2',
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
    images?.server.close();
  });

  const postJson = (body: unknown, headers: Record<string, string> = {}, path = '/v1/jobs') =>
    fetch(system.url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const accepted = async (response: Response): Promise<JobAccepted> => {
    const body = await response.text();
    expect(response.status, body).toBe(202);
    return JSON.parse(body) as JobAccepted;
  };
  const refused = async (response: Response, status: number, code: string, field?: string) => {
    const body = (await response.json()) as ErrorBody;
    expect({ status: response.status, code: body.error.code }, JSON.stringify(body)).toEqual({ status, code });
    if (field !== undefined) expect(body.error.details?.field).toBe(field);
    return body;
  };

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
      const record = await redis.hgetall(`${system.prefix}:job:${job.id}`);
      expect(record.webhook_url).toBe(images.url('/hook'));
      expect(JSON.parse(record.webhook_events ?? '[]')).toEqual(['job.succeeded', 'job.failed']);
    } finally {
      redis.disconnect();
    }
    expect(await pollUntilDone(system.apiUrl, job.id)).toMatchObject({ priority: 50, metadata: { a: 'b' } });
  });

  it('stores the default webhook events (terminal ones) when only webhook_url is given', async () => {
    const job = await accepted(
      await postJson({ image_base64: green.toString('base64'), webhook_url: images.url('/hook') }),
    );
    const redis = testRedis();
    try {
      const events = await redis.hget(`${system.prefix}:job:${job.id}`, 'webhook_events');
      expect(JSON.parse(events ?? '[]')).toEqual(['job.succeeded', 'job.failed', 'job.canceled']);
    } finally {
      redis.disconnect();
    }
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

  it('refuses image_url that fails: HTTP error, not an image, too large, too many redirects', async () => {
    await refused(await postJson({ image_url: images.url('/missing') }), 422, 'image_fetch_failed', 'image_url');
    await refused(await postJson({ image_url: images.url('/text') }), 415, 'unsupported_media_type', 'image_url');
    await refused(await postJson({ image_url: images.url('/big') }), 413, 'url_too_large', 'image_url');
    await refused(await postJson({ image_url: images.url('/loop') }), 502, 'url_fetch_failed', 'image_url');
  });

  it('refuses image_url aimed at loopback, private, link-local/metadata and IPv6 loopback addresses', async () => {
    const port = new URL(images.url('/')).port;
    for (const url of [
      `http://127.0.0.2:${port}/leaf.png`, // loopback, but not the allow-listed address
      'http://10.1.2.3/leaf.png',
      'http://192.168.0.1/leaf.png',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/leaf.png`,
      `http://[::ffff:127.0.0.2]:${port}/leaf.png`,
    ]) {
      await refused(await postJson({ image_url: url }), 400, 'url_not_allowed', 'image_url');
    }
    await refused(await postJson({ image_url: 'ftp://127.0.0.1/leaf.png' }), 400, 'invalid_request', 'image_url');
    await refused(await postJson({ image_url: 'file:///etc/passwd' }), 400, 'invalid_request', 'image_url');
  });

  it('names the field of every malformed submission', async () => {
    const b64 = green.toString('base64');
    await refused(await postJson({}), 400, 'missing_image', 'image');
    await refused(
      await postJson({ image_base64: b64, image_url: images.url('/leaf.png') }),
      400,
      'ambiguous_image',
      'image_url',
    );
    await refused(await postJson({ image_base64: b64, colour: 'red' }), 400, 'invalid_request', 'colour');
    await refused(await postJson({ image_base64: '***' }), 400, 'invalid_request', 'image_base64');
    await refused(await postJson({ image_base64: b64, priority: 101 }), 400, 'invalid_request', 'priority');
    await refused(await postJson({ image_base64: b64, priority: 1.5 }), 400, 'invalid_request', 'priority');
    await refused(await postJson({ image_base64: b64, metadata: [1] }), 400, 'invalid_request', 'metadata');
    await refused(
      await postJson({ image_base64: b64, metadata: { big: 'x'.repeat(5000) } }),
      400,
      'invalid_request',
      'metadata',
    );
    await refused(
      await postJson({ image_base64: b64, webhook_url: 'ftp://x.example.com' }),
      400,
      'invalid_request',
      'webhook_url',
    );
    await refused(
      await postJson({ image_base64: b64, webhook_url: 'https://x.example.com', webhook_events: ['job.exploded'] }),
      400,
      'invalid_request',
      'webhook_events[0]',
    );
    await refused(
      await postJson({ image_base64: b64, webhook_events: ['job.failed'] }),
      400,
      'invalid_request',
      'webhook_events',
    );
    await refused(
      await postJson({ image_base64: b64 }, { 'cancel-after': 'soon' }),
      400,
      'invalid_request',
      'Cancel-After',
    );
    await refused(await postJson({ image_base64: b64, model: 'nope' }), 400, 'unknown_model');
    await refused(
      await postJson({ image_base64: Buffer.from('hello').toString('base64') }),
      415,
      'unsupported_media_type',
      'image_base64',
    );
    await refused(
      await postJson({ image_base64: Buffer.alloc(300 * 1024).toString('base64') }),
      413,
      'payload_too_large',
      'image_base64',
    );
    const badJson = await fetch(system.url('/v1/jobs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"image_base64":',
    });
    await refused(badJson, 400, 'invalid_request');
    const twoFiles = new FormData();
    twoFiles.append('image', new Blob([green]), 'a.png');
    twoFiles.append('image', new Blob([green]), 'b.png');
    await refused(
      await fetch(system.url('/v1/jobs'), { method: 'POST', body: twoFiles }),
      400,
      'ambiguous_image',
      'image',
    );
    await refused(await submitImage(system.apiUrl, green, { colour: 'red' }), 400, 'invalid_request', 'colour');
    await refused(await submitImage(system.apiUrl, green, { priority: 'high' }), 400, 'invalid_request', 'priority');
    await refused(await submitImage(system.apiUrl, green, { metadata: '{oops' }), 400, 'invalid_request', 'metadata');
    const rawUnknown = await fetch(system.url('/v1/jobs?colour=red'), {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: green,
    });
    await refused(rawUnknown, 400, 'invalid_request', 'colour');
    const empty = await fetch(system.url('/v1/jobs'), { method: 'POST', headers: { 'content-type': 'image/png' } });
    await refused(empty, 400, 'missing_image', 'image');
    const text = await fetch(system.url('/v1/jobs'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    await refused(text, 415, 'unsupported_media_type');
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

    it('refuses a batch body above MAX_BATCH_BYTES with 413 before reading it', async () => {
      // Each item is within MAX_UPLOAD_BYTES and four fit MAX_BATCH_IMAGES: only the total is too much.
      const images = Array.from({ length: 4 }, () => ({ image_base64: 'A'.repeat(300 * 1024) }));
      await refused(await postJson({ images }, {}, '/v1/jobs:batch'), 413, 'payload_too_large');
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

    it('refuses the whole batch, naming the item, when one image is bad; creates no job', async () => {
      const redis = testRedis();
      try {
        const before = await redis.keys(`${system.prefix}:job:*`);
        const b64 = green.toString('base64');
        await refused(
          await postJson({ images: [{ image_base64: b64 }, { image_base64: 'aGVsbG8=' }] }, {}, '/v1/jobs:batch'),
          415,
          'unsupported_media_type',
          'images[1].image_base64',
        );
        await refused(
          await postJson(
            { images: [{ image_base64: b64 }, { image_url: images.url('/missing') }] },
            {},
            '/v1/jobs:batch',
          ),
          422,
          'image_fetch_failed',
          'images[1].image_url',
        );
        await refused(
          await postJson({ images: [{ image_base64: b64 }, {}] }, {}, '/v1/jobs:batch'),
          400,
          'missing_image',
          'images[1]',
        );
        await refused(
          await postJson({ images: Array.from({ length: 5 }, () => ({ image_base64: b64 })) }, {}, '/v1/jobs:batch'),
          400,
          'invalid_request',
          'images',
        );
        await refused(await postJson({ images: [] }, {}, '/v1/jobs:batch'), 400, 'invalid_request', 'images');
        expect(await redis.keys(`${system.prefix}:job:*`)).toEqual(before);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the original job (200) for the same key and body, 409 for another body', async () => {
      const body = { image_base64: green.toString('base64'), metadata: { try: 1 } };
      const first = await accepted(await postJson(body, { 'idempotency-key': 'order-1' }));
      const again = await postJson(body, { 'idempotency-key': 'order-1' });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(((await again.json()) as JobView).id).toBe(first.id);
      await refused(
        await postJson({ ...body, metadata: { try: 2 } }, { 'idempotency-key': 'order-1' }),
        409,
        'idempotency_key_reused',
        'Idempotency-Key',
      );
      // Key order inside objects does not make another request.
      const reordered = await postJson(
        { metadata: { try: 1 }, image_base64: body.image_base64 },
        { 'idempotency-key': 'order-1' },
      );
      expect(reordered.status).toBe(200);
      // Another key is another job.
      expect((await accepted(await postJson(body, { 'idempotency-key': 'order-2' }))).id).not.toBe(first.id);
    });

    it('a refused request does not burn its key', async () => {
      await refused(
        await postJson({ image_url: images.url('/missing') }, { 'idempotency-key': 'retry-me' }),
        422,
        'image_fetch_failed',
      );
      await accepted(await postJson({ image_url: images.url('/leaf.png') }, { 'idempotency-key': 'retry-me' }));
    });

    it('makes exactly one job out of 20 concurrent identical submissions', async () => {
      const body = { image_url: images.url('/redirect'), metadata: { concurrent: true } };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => postJson(body, { 'idempotency-key': 'burst-20' })),
      );
      const answers = await Promise.all(
        responses.map(async (r) => ({ status: r.status, body: (await r.json()) as JobView })),
      );
      const ids = new Set(answers.map((a) => a.body.id));
      expect(ids.size, JSON.stringify(answers)).toBe(1);
      expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
      const redis = testRedis();
      try {
        const records = await redis.keys(`${system.prefix}:job:*`);
        const withMetadata = await Promise.all(records.map((key) => redis.hget(key, 'metadata')));
        expect(withMetadata.filter((m) => m === JSON.stringify(body.metadata))).toHaveLength(1);
      } finally {
        redis.disconnect();
      }
    });

    it('works for batches too', async () => {
      const body = { images: [{ image_base64: green.toString('base64') }] };
      const first = await postJson(body, { 'idempotency-key': 'batch-1' }, '/v1/jobs:batch');
      expect(first.status).toBe(202);
      const again = await postJson(body, { 'idempotency-key': 'batch-1' }, '/v1/jobs:batch');
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(await first.json());
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
    const one = await fetch(system.url('/v1/models/plant-pathology'));
    expect(((await one.json()) as { name: string }).name).toBe('plant-pathology');
    await refused(await fetch(system.url('/v1/models/nope')), 404, 'model_not_found');
  });
});
