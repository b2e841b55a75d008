import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { parseExposition, samplesOf } from '../../../../test/support/prometheus.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

/** Send exactly these bytes (fetch would fix up what a hostile client sends as is). */
function rawPost(
  base: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-length': body.length } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const BOUNDARY = 'xYzBoundary123';
const multipartType = `multipart/form-data; boundary=${BOUNDARY}`;
const part = (name: string, value: string | Buffer, filename?: string) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`,
    ),
    Buffer.isBuffer(value) ? value : Buffer.from(value),
    Buffer.from('\r\n'),
  ]);
const closing = Buffer.from(`--${BOUNDARY}--\r\n`);

/** Nested `{"a":{"a":...}}`, `depth` objects deep, without recursion. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('malformed bodies are 4xx with a stable code, never 500 (in-process API, real Redis)', () => {
  let system: InProcessApi;
  let png: Buffer;

  beforeAll(async () => {
    png = await solidImage(COLOURS.green, 'png', 16);
    system = await InProcessApi.start();
  });
  afterAll(async () => {
    await system?.close();
  });

  const expectRefused = async (
    sent: Promise<{ status: number; body: string }>,
    status: number,
    code: string,
    field?: string,
  ) => {
    const answer = await sent;
    const body = JSON.parse(answer.body) as ErrorBody;
    expect({ status: answer.status, code: body.error.code }, answer.body).toEqual({ status, code });
    if (field !== undefined) expect(body.error.details?.field, answer.body).toBe(field);
    return body;
  };

  const cases: {
    name: string;
    path?: string;
    type?: string;
    encoding?: string;
    body: () => Buffer;
    status: number;
    code: string;
    /** The stable `details.reason` of a body that cannot be read. */
    reason?: string;
  }[] = [
    {
      name: 'a body without its closing boundary',
      type: multipartType,
      body: () => part('image', png, 'leaf.png'),
      status: 400,
      code: 'invalid_request',
      reason: 'unexpected_end',
    },
    {
      name: 'a 100 KB part header',
      type: multipartType,
      body: () =>
        Buffer.concat([
          Buffer.from(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; x="${'h'.repeat(100_000)}"\r\n\r\n`,
          ),
          png,
          Buffer.from('\r\n'),
          closing,
        ]),
      status: 400,
      code: 'invalid_request',
      reason: 'malformed_part',
    },
    {
      name: 'a 200 KB field name',
      type: multipartType,
      body: () => Buffer.concat([part('m'.repeat(200_000), 'x'), closing]),
      status: 400,
      code: 'invalid_request',
      reason: 'malformed_part',
    },
    {
      name: 'a boundary that never appears',
      type: multipartType,
      body: () => Buffer.from(`--someOtherBoundary\r\nContent-Disposition: form-data; name="image"\r\n\r\nabc\r\n`),
      status: 400,
      code: 'invalid_request',
      reason: 'unexpected_end',
    },
    {
      name: 'random bytes under a multipart Content-Type',
      type: multipartType,
      body: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
      status: 400,
      code: 'invalid_request',
      reason: 'unexpected_end',
    },
    {
      name: 'a multipart Content-Type without a boundary',
      type: 'multipart/form-data',
      body: () => Buffer.concat([part('image', png, 'leaf.png'), closing]),
      status: 400,
      code: 'invalid_request',
      reason: 'missing_boundary',
    },
    {
      name: 'a gzip-encoded multipart body',
      type: multipartType,
      encoding: 'gzip',
      body: () => gzipSync(Buffer.concat([part('image', png, 'leaf.png'), closing])),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'a gzip-encoded batch',
      path: '/v1/jobs:batch',
      type: multipartType,
      encoding: 'gzip',
      body: () => gzipSync(Buffer.concat([part('image', png, 'leaf.png'), closing])),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'an unterminated batch',
      path: '/v1/jobs:batch',
      type: multipartType,
      body: () => part('image', png, 'leaf.png'),
      status: 400,
      code: 'invalid_request',
      reason: 'unexpected_end',
    },
    {
      name: 'a corrupt gzip JSON body',
      type: 'application/json',
      encoding: 'gzip',
      body: () => Buffer.from('definitely not gzip'),
      status: 400,
      code: 'invalid_request',
      reason: 'corrupt_encoding',
    },
    {
      name: 'a corrupt gzip raw image body',
      type: 'image/png',
      encoding: 'gzip',
      body: () => Buffer.from('definitely not gzip'),
      status: 400,
      code: 'invalid_request',
      reason: 'corrupt_encoding',
    },
    {
      name: 'JSON that is not an object',
      type: 'application/json',
      body: () => Buffer.from('[1,2,3]'),
      status: 400,
      code: 'invalid_request',
    },
  ];

  for (const c of cases) {
    it(`answers ${c.status} ${c.code} for ${c.name}`, async () => {
      const headers: Record<string, string> = { 'content-type': c.type ?? multipartType };
      if (c.encoding) headers['content-encoding'] = c.encoding;
      const body = await expectRefused(
        rawPost(system.apiUrl, c.path ?? '/v1/jobs', headers, c.body()),
        c.status,
        c.code,
      );
      if (c.reason) expect(body.error.details?.reason, JSON.stringify(body)).toBe(c.reason);
    });
  }

  /** The pino lines the API logged for the request with this X-Request-Id. */
  const logLinesOf = (requestId: string): Record<string, unknown>[] =>
    system
      .logs()
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { req?: { id?: unknown } };
          return entry.req?.id === requestId ? [entry as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      });

  /** What JSON.parse itself says of `text` (the words a client must not be shown). */
  const jsonParseMessage = (text: string) => {
    try {
      JSON.parse(text);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${text} parses`);
  };

  it("answers a truncated multipart body, malformed JSON, a bad charset and a bad path with a sentence of ours, the library's words only in the request's log line", async () => {
    const badJson = '{"image_url": "https://example.com/leaf.png",';
    const refusals: {
      name: string;
      send: (requestId: string) => Promise<{ status: number; body: string }>;
      status: number;
      error: { code: string; message: string; details: Record<string, unknown> };
      library: string;
    }[] = [
      {
        name: 'a multipart body without its closing boundary',
        send: (id) =>
          rawPost(system.apiUrl, '/v1/jobs', { 'content-type': multipartType, 'x-request-id': id }, part('image', png)),
        status: 400,
        error: {
          code: 'invalid_request',
          message: 'the multipart body ends before its closing boundary',
          details: { field: 'body', reason: 'unexpected_end' },
        },
        library: 'Unexpected end of form',
      },
      {
        name: 'a JSON body cut short',
        send: (id) =>
          rawPost(
            system.apiUrl,
            '/v1/jobs',
            { 'content-type': 'application/json', 'x-request-id': id },
            Buffer.from(badJson),
          ),
        status: 400,
        error: {
          code: 'invalid_request',
          message: 'the request body is not valid JSON',
          details: { field: 'body', reason: 'invalid_json' },
        },
        library: jsonParseMessage(badJson),
      },
      {
        name: 'a JSON body in latin1',
        send: (id) =>
          rawPost(
            system.apiUrl,
            '/v1/jobs',
            { 'content-type': 'application/json; charset=latin1', 'x-request-id': id },
            Buffer.from('{"image_url":"https://example.com/leaf.png"}'),
          ),
        status: 415,
        error: {
          code: 'unsupported_media_type',
          message: "the request body's charset is not one the API reads (send UTF-8)",
          details: { field: 'Content-Type', reason: 'bad_charset' },
        },
        library: 'unsupported charset "LATIN1"',
      },
      {
        name: 'a multipart body of more fields than allowed',
        send: (id) =>
          rawPost(
            system.apiUrl,
            '/v1/jobs',
            { 'content-type': multipartType, 'x-request-id': id },
            Buffer.concat([...Array.from({ length: 21 }, (_, i) => part(`f${i}`, 'x')), closing]),
          ),
        status: 400,
        error: {
          code: 'invalid_request',
          message: 'the multipart body has more fields than allowed',
          details: { reason: 'too_many_fields' },
        },
        library: 'Too many fields',
      },
      {
        name: 'a path that is not valid percent-encoding',
        send: async (id) => {
          const response = await fetch(system.url('/v1/jobs/%E0%A4%A'), { headers: { 'x-request-id': id } });
          return { status: response.status, body: await response.text() };
        },
        status: 400,
        error: {
          code: 'invalid_request',
          message: 'the request path is not valid percent-encoding',
          details: { reason: 'bad_path_encoding' },
        },
        library: "Failed to decode param '%E0%A4%A'",
      },
    ];
    for (const [i, refusal] of refusals.entries()) {
      const requestId = `refusal-${i}-${Date.now()}`;
      const answer = await refusal.send(requestId);
      expect({ status: answer.status, body: JSON.parse(answer.body) }, refusal.name).toEqual({
        status: refusal.status,
        body: { error: refusal.error },
      });
      expect(answer.body, refusal.name).not.toContain(refusal.library);
      // The library's words are logged with the request id, for whoever reads the log with it.
      await expect
        .poll(() => logLinesOf(requestId).filter((line) => line.msg === `refused: ${refusal.error.message}`), {
          timeout: 2000,
        })
        .toEqual([
          expect.objectContaining({
            level: 30,
            code: refusal.error.code,
            cause: expect.objectContaining({ message: refusal.library }),
          }),
        ]);
    }
  });

  it('refuses metadata nested 10,000 levels deep as 400 naming the field (JSON, form field, batch item)', async () => {
    const json = Buffer.from(`{"image_base64":"${png.toString('base64')}","metadata":${deepJson(10_000)}}`);
    await expectRefused(
      rawPost(system.apiUrl, '/v1/jobs', { 'content-type': 'application/json' }, json),
      400,
      'invalid_request',
      'metadata',
    );
    const form = Buffer.concat([part('image', png, 'leaf.png'), part('metadata', deepJson(10_000)), closing]);
    await expectRefused(
      rawPost(system.apiUrl, '/v1/jobs', { 'content-type': multipartType }, form),
      400,
      'invalid_request',
      'metadata',
    );
    const batch = Buffer.from(
      `{"images":[{"image_base64":"${png.toString('base64')}","metadata":${deepJson(10_000)}}]}`,
    );
    await expectRefused(
      rawPost(system.apiUrl, '/v1/jobs:batch', { 'content-type': 'application/json' }, batch),
      400,
      'invalid_request',
      'images[0].metadata',
    );
    // Deep nesting elsewhere in the body is refused before any walk of it, naming where it goes too deep.
    const elsewhere = Buffer.from(`{"model":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    await expectRefused(
      rawPost(system.apiUrl, '/v1/jobs', { 'content-type': 'application/json' }, elsewhere),
      400,
      'invalid_request',
      'model',
    );
  });

  it('keeps moderately nested metadata (depth 8) and counts every refusal under its 4xx status in /metrics', async () => {
    const metadata = JSON.parse(deepJson(8)) as Record<string, unknown>;
    const accepted = await fetch(system.url('/v1/jobs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image_base64: png.toString('base64'), metadata }),
    });
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    expect(((await accepted.json()) as { id: string }).id).toBeTruthy();

    const samples = parseExposition(await (await fetch(system.url('/metrics'))).text());
    const served = samplesOf(samples, 'http_requests_total', { method: 'POST' });
    expect(
      served.filter((s) => s.labels.status === '500'),
      JSON.stringify(served),
    ).toEqual([]);
    const byStatus = (status: string) =>
      served.filter((s) => s.labels.status === status).reduce((sum, s) => sum + s.value, 0);
    expect(byStatus('400')).toBeGreaterThanOrEqual(cases.filter((c) => c.status === 400).length);
    expect(byStatus('415')).toBeGreaterThanOrEqual(2);
    expect(system.logs()).not.toMatch(/"level":50/);
  });
});
