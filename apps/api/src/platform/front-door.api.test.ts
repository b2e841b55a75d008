import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessApi } from '../testing/in-process-api.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;

/** Pages, the queue dashboard's access rules, CORS and TRUST_PROXY, against the app in-process. */
describe('front door: pages, /admin/queues access, CORS, TRUST_PROXY (in-process API, real Redis)', () => {
  const keys = { ops: randomBytes(24).toString('base64url'), dev: randomBytes(24).toString('base64url') };
  let secured: InProcessApi;
  let open: InProcessApi;

  beforeAll(async () => {
    [secured, open] = await Promise.all([
      InProcessApi.start({
        env: {
          API_KEYS: `ops:${sha256(keys.ops)},dev:${sha256(keys.dev)}`,
          ADMIN_PRINCIPALS: 'key:ops',
          CORS_ORIGINS: 'https://app.example.com',
        },
      }),
      InProcessApi.start(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([secured?.close(), open?.close()]);
  });

  it('serves the console and the API reference with a strict CSP, from local files only', async () => {
    const page = await fetch(open.url('/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).toContain('/console/console.js');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(open.url('/console/console.js'))).headers.get('content-type')).toMatch(/javascript/);
    const docs = await (await fetch(open.url('/docs'))).text();
    expect(docs).toContain('/docs/assets/swagger-ui-bundle.js');
    expect((await fetch(open.url('/docs/assets/swagger-ui-bundle.js'))).status).toBe(200);
    // The package's demo page (which loads the Petstore from the internet) is not served.
    expect((await fetch(open.url('/docs/assets/index.html'))).status).toBe(404);
    // Pages need no key even with auth on; the API behind them does.
    expect((await fetch(secured.url('/'))).status).toBe(200);
    expect((await fetch(secured.url('/v1/models'))).status).toBe(401);
  });

  it('opens /admin/queues to ADMIN_PRINCIPALS only (Basic or Bearer), read-only by default', async () => {
    const anonymous = await fetch(secured.url('/admin/queues'));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="infer admin"/);
    const wrong = await fetch(secured.url('/admin/queues'), { headers: { authorization: basic('not-a-key') } });
    expect(wrong.status).toBe(401);
    const dev = await fetch(secured.url('/admin/queues'), { headers: { authorization: basic(keys.dev) } });
    expect(dev.status).toBe(403);
    expect(await dev.json()).toMatchObject({ error: { code: 'forbidden', details: { principal: 'key:dev' } } });

    const ops = await fetch(secured.url('/admin/queues'), { headers: { authorization: basic(keys.ops) } });
    expect(ops.status).toBe(200);
    expect(await ops.text()).toMatch(/<html/i);
    const api = await fetch(secured.url('/admin/queues/api/queues'), {
      headers: { authorization: `Bearer ${keys.ops}` },
    });
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(queues.map((queue) => queue.name).sort()).toEqual(['{inference.plant-pathology}', '{webhooks}']);
    expect(queues.every((queue) => queue.readOnlyMode)).toBe(true);
    // With auth off (local use) the dashboard is open.
    expect((await fetch(open.url('/admin/queues'))).status).toBe(200);
  });

  it('answers CORS preflights for CORS_ORIGINS before auth, and nothing for other origins or with CORS off', async () => {
    const preflight = await fetch(secured.url('/v1/jobs'), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, idempotency-key, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);

    const read = await fetch(secured.url('/v1/models'), {
      headers: { origin: 'https://app.example.com', authorization: `Bearer ${keys.dev}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(read.headers.get('access-control-expose-headers')).toMatch(/Location/);

    const other = await fetch(secured.url('/v1/models'), {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${keys.dev}` },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const off = await fetch(open.url('/v1/models'), { headers: { origin: 'https://app.example.com' } });
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keys the rate limit on the forwarded client address only behind a trusted proxy', async () => {
    // Auth off: the limit is per client address (with auth on it is per key, whatever the address).
    const [untrusted, trusted] = await Promise.all([
      InProcessApi.start({ env: { RATE_LIMIT_PER_MINUTE: '3' } }),
      InProcessApi.start({ env: { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' } }),
    ]);
    const statuses = async (system: InProcessApi, client: string, count: number) => {
      const seen: number[] = [];
      for (let i = 0; i < count; i++) {
        seen.push((await fetch(system.url('/v1/models'), { headers: { 'x-forwarded-for': client } })).status);
      }
      return seen;
    };
    try {
      // Not trusted: the header is ignored; every request comes from 127.0.0.1 and shares one window.
      expect(await statuses(untrusted, '203.0.113.1', 3)).toEqual([200, 200, 200]);
      expect(await statuses(untrusted, '203.0.113.2', 1)).toEqual([429]);
      // Trusted loopback proxy: each forwarded client has a window of its own.
      expect(await statuses(trusted, '203.0.113.1', 4)).toEqual([200, 200, 200, 429]);
      expect(await statuses(trusted, '203.0.113.2', 1)).toEqual([200]);
    } finally {
      await Promise.all([untrusted.close(), trusted.close()]);
    }
  });
});
