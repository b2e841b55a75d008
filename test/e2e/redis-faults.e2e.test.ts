import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { type LocalRedis, startLocalRedis } from '../../dev-support/local-redis.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { submitImage } from '../support/jobs-client.ts';
import { ServiceProcess } from '../support/processes.ts';
import { TestSystem } from '../support/system.ts';

/** Redis misconfigured or gone: the API says so instead of hanging or losing jobs silently. */
describe('Redis faults', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function privateRedis(extraArgs: string[] = []): Promise<LocalRedis> {
    const dir = mkdtempSync(path.join(tmpdir(), 'infer-faults-'));
    const redis = await startLocalRedis({ dir, appendOnly: false, extraArgs });
    cleanups.push(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return redis;
  }

  async function startApi(redisUrl: string): Promise<{ api: ServiceProcess; base: string }> {
    const port = await freePort();
    const api = new ServiceProcess('api', 'apps/api/src/main.ts', {
      REDIS_URL: redisUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    cleanups.push(async () => {
      await api.stop('SIGTERM');
    });
    const base = `http://127.0.0.1:${port}`;
    await api.waitForHttp(`${base}/healthz`);
    return { api, base };
  }

  it('logs an error at start-up when maxmemory-policy is not noeviction', async () => {
    const redis = await privateRedis(['--maxmemory-policy', 'allkeys-lru']);
    const { api } = await startApi(redis.url);
    const line = api.logs.split('\n').find((l) => l.includes('maxmemory-policy'));
    expect(line, api.logs).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ level: 50, maxmemoryPolicy: 'allkeys-lru' });
  });

  it('answers 503 service_unavailable at once while Redis is down, and recovers when it is back', async () => {
    const redis = await privateRedis();
    const { base } = await startApi(redis.url);
    const image = await solidImage(COLOURS.green);
    await redis.stop();

    const down = await submitImage(base, image);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('is not ready until a worker has loaded its model', async () => {
    const system = await TestSystem.start({ workers: 0 });
    cleanups.push(() => system.stop());
    const before = await fetch(system.url('/readyz'));
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: 'not_ready', checks: { redis: true, workers: 0 } });
    await system.startWorker();
    await expect.poll(async () => (await fetch(system.url('/readyz'))).status, { timeout: 10_000 }).toBe(200);
  });
});
