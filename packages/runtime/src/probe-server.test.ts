import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbeServer, type ProbeState } from './probe-server.ts';

describe('probe server', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  const start = async (state: ProbeState, scrapeTimeoutMs?: number) => {
    const registry = new Registry();
    new Counter({ name: 'things_total', help: 'things', registers: [registry] }).inc(3);
    const server = createProbeServer(state, registry, scrapeTimeoutMs);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('answers healthz, readyz by state, and 404/405 otherwise', async () => {
    let ready = false;
    const url = await start({ ready: () => ready });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    ready = true;
    expect(await (await fetch(`${url}/readyz?verbose`)).json()).toEqual({ status: 'ready' });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('still answers /metrics promptly when refreshing from Redis hangs (Redis down: commands wait offline)', async () => {
    // A Redis command on a connection that retries forever neither resolves nor rejects while Redis is down.
    const url = await start({ ready: () => true, beforeScrape: () => new Promise(() => undefined) }, 200);
    const started = performance.now();
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('things_total 3');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
