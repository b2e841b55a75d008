import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InferClient } from './client.ts';
import { InferApiError, InferConnectionError } from './errors.ts';
import { retryAfterMs } from './retry.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/** A real HTTP server that answers each request with the next of `answers` (the last one repeats). */
async function serve(answers: { status: number; headers?: Record<string, string>; body: unknown }[]) {
  const seen: { headers: IncomingMessage['headers']; at: number; body: Buffer; url: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, at: Date.now(), body: Buffer.concat(chunks), url: req.url ?? '' });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)] as (typeof answers)[number];
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const accepted = { id: 'j1', status: 'queued', model: 'm', created_at: '2026-12-01T00:00:00.000Z' };
const queueFull = { error: { code: 'queue_full', message: 'the queue is full' } };

describe('InferClient retries', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('sends a submission again after Retry-After on 429 and 503, with the same Idempotency-Key and body', async () => {
    const api = await serve([
      { status: 429, headers: { 'retry-after': '1' }, body: queueFull },
      { status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 'service_unavailable', message: '' } } },
      { status: 202, body: accepted },
    ]);
    server = api.server;
    const retries: (number | undefined)[] = [];
    const client = new InferClient({ baseUrl: api.url, onRetry: ({ status }) => retries.push(status) });
    const job = await client.submit(PNG, { model: 'm' });
    expect(job.id).toBe('j1');
    expect(retries).toEqual([429, 503]);
    expect(api.seen).toHaveLength(3);
    const keys = new Set(api.seen.map((request) => request.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(api.seen.every((request) => request.body.equals(PNG))).toBe(true);
    expect(api.seen[0]?.headers['content-type']).toBe('image/png');
    expect(api.seen[0]?.url).toBe('/v1/jobs?model=m');
    expect((api.seen[1]?.at ?? 0) - (api.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up on 429 when the retry budget would be exceeded, with the API error', async () => {
    const api = await serve([{ status: 429, headers: { 'retry-after': '5' }, body: queueFull }]);
    server = api.server;
    const client = new InferClient({ baseUrl: api.url, retry: { busyBudgetMs: 1000 } });
    const error = await client.submit(PNG).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InferApiError);
    expect(error).toMatchObject({ status: 429, code: 'queue_full' });
    expect(api.seen).toHaveLength(1);
  });

  it('does not retry other errors', async () => {
    const api = await serve([{ status: 400, body: { error: { code: 'unknown_model', message: 'no model "x"' } } }]);
    server = api.server;
    const error = await new InferClient({ baseUrl: api.url }).submit(PNG, { model: 'x' }).catch((caught) => caught);
    expect(error).toMatchObject({ status: 400, code: 'unknown_model', message: 'no model "x"' });
    expect(api.seen).toHaveLength(1);
  });

  it('reports an unreachable API as InferConnectionError after its connection retries', async () => {
    const api = await serve([]);
    const url = api.url;
    await new Promise((resolve) => api.server.close(resolve));
    const client = new InferClient({ baseUrl: url, retry: { connectionRetries: 1, baseDelayMs: 10 } });
    const error = await client.models().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InferConnectionError);
    expect((error as Error).message).toBe(`cannot reach the API at ${url}: connection refused`);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
