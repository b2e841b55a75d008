import { request } from 'node:http';
import { ERROR_CODES } from '@infer/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { parseExposition, samplesOf } from '../support/prometheus.ts';
import { TestSystem } from '../support/system.ts';

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Exactly these bytes and headers (fetch would repair what a fuzzer means to send). */
function send(base: string, sent: Sent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${sent.path}`, {
      method: 'POST',
      headers: { ...sent.headers, 'content-length': sent.body.length },
      timeout: 10_000,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(sent.body);
  });
}

const BOUNDARY = 'fuzzBoundary7';

/** Submissions of every shape: JSON, multipart (closed or not), raw bodies, odd headers. */
function submissions(png: Buffer): fc.Arbitrary<Sent> {
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', ' ', 'plant-pathology', '{"a":1}', '[', 'null', '1e999', '-1', '101', 'job.succeeded'),
  );
  const field = fc.constantFrom(
    'image',
    'image_base64',
    'image_url',
    'model',
    'version',
    'priority',
    'metadata',
    'webhook_url',
    'webhook_events',
    'images',
    'x',
  );
  const jsonValue = fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(png.toString('base64')),
    fc.constantFrom('http://127.0.0.1:1/x', 'file:///etc/passwd', 'http://169.254.169.254/'),
  );
  const jsonBody = fc.oneof(
    fc.dictionary(field, fc.oneof(jsonValue, fc.array(jsonValue, { maxLength: 3 }), fc.dictionary(text, jsonValue)), {
      maxKeys: 5,
    }),
    fc.record({ images: fc.array(fc.dictionary(field, jsonValue, { maxKeys: 3 }), { maxLength: 6 }) }),
    fc.anything({ maxDepth: 40 }),
  );
  const multipartBody = fc
    .array(
      fc.record({
        name: fc.oneof(field, fc.string({ maxLength: 300 })),
        filename: fc.option(fc.constantFrom('leaf.png', 'a"b.png', ''), { nil: undefined }),
        value: fc.oneof(
          fc.constant(png),
          text.map((t) => Buffer.from(t)),
          fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
        ),
      }),
      { maxLength: 6 },
    )
    .chain((parts) =>
      fc
        .boolean()
        .map((closed) =>
          Buffer.concat([
            ...parts.map(({ name, filename, value }) =>
              Buffer.concat([
                Buffer.from(
                  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n`,
                ),
                value,
                Buffer.from('\r\n'),
              ]),
            ),
            closed ? Buffer.from(`--${BOUNDARY}--\r\n`) : Buffer.alloc(0),
          ]),
        ),
    );
  // Each header present now and then (a header on every request would hide the rest behind its error).
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { freq: 4, nil: undefined });
  const headers = fc.record({
    'idempotency-key': sometimes(fc.oneof(fc.string({ maxLength: 300 }), fc.constant('fixed-key'))),
    prefer: sometimes(fc.constantFrom('wait=0', 'wait=abc', 'respond-async', 'wait=1')),
    'cancel-after': sometimes(fc.constantFrom('0', '5', '-1', '1e3', 'soon', '99999999999')),
    'content-encoding': sometimes(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown')),
  });
  // Well-formed submissions with fuzzed options, so that the accepting paths are fuzzed too.
  const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });
  const option = fc.record(
    {
      model: mostly(fc.constant('plant-pathology'), fc.constantFrom('nope', '', 'a:b')),
      priority: mostly(fc.integer({ min: 0, max: 100 }), fc.oneof(fc.integer(), text)),
      metadata: mostly(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), text),
    },
    { requiredKeys: [] },
  );
  const validish = fc.oneof(
    option.map((options) => ({
      type: 'application/json',
      body: Buffer.from(JSON.stringify({ image_base64: png.toString('base64'), ...options })),
    })),
    option.map((options) => ({
      type: `multipart/form-data; boundary=${BOUNDARY}`,
      body: Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="leaf.png"\r\n\r\n`),
        png,
        Buffer.from('\r\n'),
        ...Object.entries(options).map(([name, value]) =>
          Buffer.from(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${typeof value === 'string' ? value : JSON.stringify(value)}\r\n`,
          ),
        ),
        Buffer.from(`--${BOUNDARY}--\r\n`),
      ]),
    })),
  );
  return fc
    .tuple(
      fc.constantFrom('/v1/jobs', '/v1/jobs:batch'),
      fc.oneof(
        validish,
        jsonBody.map((body) => ({
          type: 'application/json',
          body: Buffer.from(JSON.stringify(body) ?? 'undefined'),
        })),
        multipartBody.map((body) => ({ type: `multipart/form-data; boundary=${BOUNDARY}`, body })),
        fc
          .constantFrom(
            'image/png',
            'application/octet-stream',
            'text/plain',
            'multipart/mixed',
            '',
            'application/json; charset=koi8-r',
          )
          .chain((type) =>
            fc
              .oneof(
                fc.constant(png),
                fc.uint8Array({ maxLength: 1024 }).map((bytes) => Buffer.from(bytes)),
              )
              .map((body) => ({ type, body })),
          ),
      ),
      headers,
      // Headers that made it into an HTTP request must be sendable: keep the fuzz to printable values.
    )
    .map(([path, { type, body }, extra]) => ({
      path,
      body,
      headers: Object.fromEntries(
        Object.entries({ 'content-type': type, ...extra }).filter(
          (entry): entry is [string, string] =>
            entry[1] !== undefined && /^[\x20-\x7e]*$/.test(entry[1]) && entry[1] !== '',
        ),
      ),
    }));
}

/**
 * Property-based fuzz of the submit endpoints against a real API: whatever the
 * content type, body, fields and headers, the answer is one of the statuses the
 * OpenAPI document lists for that operation, with a JSON error body of a known
 * code, and the API stays healthy.
 */
describe('fuzzing POST /v1/jobs and /v1/jobs:batch (real API and Redis)', () => {
  let system: TestSystem;
  let png: Buffer;
  let documented: Record<string, Set<string>>;
  const codes = new Set(Object.keys(ERROR_CODES));

  beforeAll(async () => {
    png = await solidImage(COLOURS.green, 'png', 8);
    system = await TestSystem.start({
      workers: 0,
      env: { MAX_UPLOAD_BYTES: String(64 * 1024), MAX_BATCH_IMAGES: '4' },
    });
    const doc = (await (await fetch(system.url('/openapi.json'))).json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    documented = Object.fromEntries(
      ['/v1/jobs', '/v1/jobs:batch'].map((path) => [
        path,
        new Set(Object.keys(doc.paths[path]?.post?.responses ?? {})),
      ]),
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('answers only documented statuses with a known error code, never 500, and stays healthy', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(submissions(png), async (input) => {
        const answer = await send(system.apiUrl, input);
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        const allowed = documented[input.path] as Set<string>;
        expect(
          allowed.has(String(answer.status)),
          `${answer.status} for ${JSON.stringify(input.headers)}: ${answer.body}`,
        ).toBe(true);
        expect(answer.status).not.toBe(500);
        if (answer.status >= 400) {
          const error = (JSON.parse(answer.body) as { error: { code: string } }).error;
          expect(codes.has(error.code), answer.body).toBe(true);
        }
      }),
      { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? 20261201) },
    );
    // Accepted and refused alike were exercised.
    expect(
      [...seen.keys()].some((status) => status === 202 || status === 200),
      JSON.stringify([...seen]),
    ).toBe(true);
    console.log(`fuzz answers by status: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
    expect([...seen.keys()].filter((status) => status >= 400).length).toBeGreaterThan(2);
    expect((await fetch(system.url('/healthz'))).status).toBe(200);
    const samples = parseExposition(await (await fetch(system.url('/metrics'))).text());
    expect(samplesOf(samples, 'http_requests_total', { status: '500' })).toEqual([]);
    expect(system.api.logs).not.toMatch(/"level":50/);
  }, 240_000);
});
