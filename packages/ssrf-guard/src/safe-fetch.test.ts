import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertUrlAllowed, type Resolver, safeFetch } from './safe-fetch.ts';

interface LocalServer {
  server: Server;
  url: string;
  port: number;
  requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
}

async function listen(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: LocalServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://${host}:${port}`, requests } satisfies LocalServer;
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof AppError ? error.code : `not an AppError: ${String(error)}`),
  );

describe('safeFetch against real servers on loopback', () => {
  let origin: LocalServer;
  // Bound to 127.0.0.2 (still loopback on Linux): outside an allowlist of 127.0.0.1 only.
  let internal: LocalServer;
  const allowlist = ['127.0.0.1'];

  beforeAll(async () => {
    internal = await listen('127.0.0.2', (_req, res) => res.end('secret'));
    origin = await listen('127.0.0.1', (req, res) => {
      const path = req.url ?? '/';
      if (path === '/ok') res.end('hello');
      else if (path === '/echo') req.pipe(res);
      else if (path === '/to-internal') res.writeHead(302, { location: `${internal.url}/metadata` }).end();
      else if (path === '/to-ok') res.writeHead(301, { location: '/ok' }).end();
      else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (path === '/big') res.end(Buffer.alloc(5000, 1));
      else if (path === '/big-chunked') {
        res.write(Buffer.alloc(3000, 1));
        res.end(Buffer.alloc(3000, 2));
      } else if (path === '/hang') req.on('close', () => res.destroy());
      else res.writeHead(404).end();
    });
  });
  afterAll(async () => {
    origin.server.closeAllConnections();
    await new Promise((resolve) => origin.server.close(resolve));
    await new Promise((resolve) => internal.server.close(resolve));
  });

  const base = { timeoutMs: 2000, maxBytes: 1024 };

  it('fetches from an allowlisted address', async () => {
    const response = await safeFetch(`${origin.url}/ok`, { ...base, allowlist });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello');
    expect(response.truncated).toBe(false);
  });

  it('refuses loopback without the allowlist, before connecting', async () => {
    const before = origin.requests.length;
    expect(await codeOf(safeFetch(`${origin.url}/ok`, base))).toBe('url_not_allowed');
    expect(await codeOf(safeFetch(`http://localhost:${origin.port}/ok`, base))).toBe('url_not_allowed');
    expect(await codeOf(safeFetch(`http://[::ffff:127.0.0.1]:${origin.port}/ok`, base))).toBe('url_not_allowed');
    expect(origin.requests.length).toBe(before);
  });

  it('refuses a redirect from an allowed host to a refused address, never contacting it', async () => {
    const error = await safeFetch(`${origin.url}/to-internal`, { ...base, allowlist, maxRedirects: 3 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('url_not_allowed');
    expect((error as AppError).details).toMatchObject({ address: '127.0.0.2', reason: 'loopback' });
    expect(internal.requests).toEqual([]);
  });

  it('with a host:port entry, reaches that port only, on the first hop and on every redirect', async () => {
    const other = await listen('127.0.0.1', (_req, res) => res.end('another local service'));
    const redirector = await listen('127.0.0.1', (req, res) => {
      if (req.url === '/to-other-port') res.writeHead(302, { location: `${other.url}/` }).end();
      else if (req.url === '/to-origin') res.writeHead(302, { location: `${origin.url}/ok` }).end();
      else res.end('redirector');
    });
    try {
      const onlyRedirector = [`127.0.0.1:${redirector.port}`];
      expect((await safeFetch(`${redirector.url}/`, { ...base, allowlist: onlyRedirector })).status).toBe(200);
      // Same address, another port: refused before connecting, directly and through a redirect.
      expect(await codeOf(safeFetch(`${other.url}/`, { ...base, allowlist: onlyRedirector }))).toBe('url_not_allowed');
      const error = await safeFetch(`${redirector.url}/to-other-port`, {
        ...base,
        allowlist: onlyRedirector,
        maxRedirects: 2,
      }).catch((e: unknown) => e);
      expect((error as AppError).code).toBe('url_not_allowed');
      expect((error as AppError).details).toMatchObject({ port: other.port, address: '127.0.0.1' });
      expect(other.requests).toEqual([]);
      // Two listed ports: the redirect between them is followed.
      const both = [`127.0.0.1:${redirector.port}`, `localhost:${origin.port}`, `127.0.0.1:${origin.port}`];
      const followed = await safeFetch(`${redirector.url}/to-origin`, { ...base, allowlist: both, maxRedirects: 1 });
      expect(followed.body.toString()).toBe('hello');
      // A host name entry with a port: localhost on that port only.
      const byName = [`localhost:${origin.port}`];
      expect((await safeFetch(`http://localhost:${origin.port}/ok`, { ...base, allowlist: byName })).status).toBe(200);
      expect(await codeOf(safeFetch(`http://localhost:${other.port}/`, { ...base, allowlist: byName }))).toBe(
        'url_not_allowed',
      );
      expect(await codeOf(assertUrlAllowed(`${other.url}/`, { allowlist: onlyRedirector }))).toBe('url_not_allowed');
      expect(await codeOf(assertUrlAllowed(`${redirector.url}/`, { allowlist: onlyRedirector }))).toBe('resolved');
    } finally {
      other.server.close();
      redirector.server.close();
    }
  });

  it('follows allowed redirects up to the limit, and returns the 3xx when told not to follow', async () => {
    const followed = await safeFetch(`${origin.url}/to-ok`, { ...base, allowlist, maxRedirects: 1 });
    expect(followed).toMatchObject({ status: 200, url: `${origin.url}/ok` });
    expect(followed.body.toString()).toBe('hello');

    const notFollowed = await safeFetch(`${origin.url}/to-internal`, { ...base, allowlist, maxRedirects: 0 });
    expect(notFollowed.status).toBe(302);
    expect(notFollowed.headers.location).toBe(`${internal.url}/metadata`);
    expect(internal.requests).toEqual([]);

    expect(await codeOf(safeFetch(`${origin.url}/loop`, { ...base, allowlist, maxRedirects: 2 }))).toBe(
      'url_fetch_failed',
    );
  });

  it('checks the address at connect time: a resolver that rebinds to a private address is refused', async () => {
    let calls = 0;
    // First answer public (accept-time check passes), then loopback (as a rebinding DNS would).
    const rebinding: Resolver = async () => {
      calls++;
      return calls === 1 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    };
    await expect(
      assertUrlAllowed(`http://rebind.example:${origin.port}/ok`, { lookup: rebinding }),
    ).resolves.toBeInstanceOf(URL);
    const before = origin.requests.length;
    expect(await codeOf(safeFetch(`http://rebind.example:${origin.port}/ok`, { ...base, lookup: rebinding }))).toBe(
      'url_not_allowed',
    );
    expect(origin.requests.length).toBe(before);
  });

  it('refuses a host when any of its addresses is refused', async () => {
    const mixed: Resolver = async () => [
      { address: '8.8.8.8', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    expect(await codeOf(assertUrlAllowed('https://mixed.example/x', { lookup: mixed }))).toBe('url_not_allowed');
  });

  it('lets an allowlisted host name resolve to a private address', async () => {
    const internalDns: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const response = await safeFetch(`http://hooks.internal:${origin.port}/ok`, {
      ...base,
      allowlist: ['hooks.internal'],
      lookup: internalDns,
    });
    expect(response.status).toBe(200);
  });

  it('sends the method, headers and body', async () => {
    const response = await safeFetch(`${origin.url}/echo`, {
      ...base,
      allowlist,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: '{"a":1}',
    });
    expect(response.body.toString()).toBe('{"a":1}');
    expect(origin.requests.at(-1)).toMatchObject({ method: 'POST', headers: { 'x-test': 'yes' } });
  });

  it('caps the body: error by default, truncation on request', async () => {
    expect(await codeOf(safeFetch(`${origin.url}/big`, { ...base, allowlist }))).toBe('url_too_large');
    expect(await codeOf(safeFetch(`${origin.url}/big-chunked`, { ...base, allowlist, maxBytes: 4000 }))).toBe(
      'url_too_large',
    );
    const cut = await safeFetch(`${origin.url}/big-chunked`, {
      ...base,
      allowlist,
      maxBytes: 4000,
      overflow: 'truncate',
    });
    expect(cut.truncated).toBe(true);
    expect(cut.body.length).toBe(4000);
  });

  it('gives up on a server that never answers', async () => {
    expect(await codeOf(safeFetch(`${origin.url}/hang`, { ...base, allowlist, timeoutMs: 200 }))).toBe('url_timeout');
  });

  it('reports a refused connection as url_fetch_failed', async () => {
    const closed = await listen('127.0.0.1', () => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    expect(await codeOf(safeFetch(`${closed.url}/`, { ...base, allowlist }))).toBe('url_fetch_failed');
  });

  it('accepts only absolute http(s) URLs', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1/', 'ftp://example.com/', 'not a url', '/relative']) {
      expect(await codeOf(assertUrlAllowed(url))).toBe('url_not_allowed');
    }
    expect(await codeOf(assertUrlAllowed('http://169.254.169.254/latest/meta-data/'))).toBe('url_not_allowed');
    expect(await codeOf(assertUrlAllowed('http://[fd00::1]/'))).toBe('url_not_allowed');
    await expect(assertUrlAllowed('https://8.8.8.8/')).resolves.toBeInstanceOf(URL);
  });
});
