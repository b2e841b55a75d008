import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobAccepted } from '@infer/contracts';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { ROOT, ServiceProcess } from '../support/processes.ts';
import { testRedisUrl, uniquePrefix } from '../support/redis.ts';

/** `pnpm start` as a new user runs it: one command, whole system. */
describe('scripts/start.ts', () => {
  it('without REDIS_URL and without redis-server on PATH, fails with one line saying what to do', async () => {
    // A PATH holding only node, so redis-server cannot be found.
    const bin = mkdtempSync(path.join(tmpdir(), 'infer-path-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
        cwd: ROOT,
        env: { ...process.env, PATH: bin, REDIS_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/redis-server not found.*apt-get install -y redis-server.*REDIS_URL/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('starts API, worker and webhook dispatcher against REDIS_URL, serves a job, and stops all on SIGTERM', async () => {
    const port = await freePort();
    const dispatcherPort = await freePort();
    const start = new ServiceProcess('start', 'scripts/start.ts', {
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix('start'),
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_PORT: String(await freePort()),
      DISPATCHER_PORT: String(dispatcherPort),
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await start.waitForHttp(`${base}/readyz`);
      await start.waitForHttp(`http://127.0.0.1:${dispatcherPort}/readyz`);
      const response = await submitImage(base, await solidImage(COLOURS.green));
      const job = await pollUntilDone(base, ((await response.json()) as JobAccepted).id);
      expect(job.result?.predictions[0]?.label).toBe('healthy');
    } finally {
      expect(await start.stop('SIGTERM')).toBe(0);
    }
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${dispatcherPort}/healthz`)).rejects.toThrow();
  });

  it('without REDIS_URL starts a private redis-server and stops it on exit', async () => {
    const port = await freePort();
    const start = new ServiceProcess('start', 'scripts/start.ts', {
      REDIS_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_PORT: String(await freePort()),
      DISPATCHER_PORT: String(await freePort()),
    });
    try {
      await start.waitForHttp(`http://127.0.0.1:${port}/readyz`);
      expect(start.logs).toMatch(/started redis-server on redis:\/\/127\.0\.0\.1:\d+/);
    } finally {
      expect(await start.stop('SIGTERM')).toBe(0);
    }
    const url = /started redis-server on (redis:\/\/[\d.:]+)/.exec(start.logs)?.[1] as string;
    const { Redis } = await import('ioredis');
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });
});
