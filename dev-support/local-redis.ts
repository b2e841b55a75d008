import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';

export interface LocalRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop: () => Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'redis-server not found on PATH: install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to an existing Redis';

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface LocalRedisOptions {
  dir: string;
  appendOnly?: boolean;
  /** Extra redis-server arguments, appended last so they win (tests use them to misconfigure). */
  extraArgs?: string[];
  /** A given port (a restart on the same address); default a free one. */
  port?: number;
}

/** The Redis a local run uses; `local` is set when this process started it (and `stop` stops it). */
export interface DevRedis {
  url: string;
  local?: LocalRedis;
  stop: () => Promise<void>;
}

/**
 * REDIS_URL when set (left running), else a private redis-server started with
 * `options`; throws REDIS_INSTALL_HINT when there is neither. `npm start`, the
 * test runs and the benchmarks all choose their Redis this way.
 */
export async function redisFromEnvOrLocal(options: LocalRedisOptions): Promise<DevRedis> {
  const url = process.env.REDIS_URL;
  if (url) return { url, stop: async () => undefined };
  if (!hasRedisServer()) throw new Error(REDIS_INSTALL_HINT);
  const local = await startLocalRedis(options);
  return { url: local.url, local, stop: local.stop };
}

/**
 * A private redis-server on a free loopback port with its data in `dir`:
 * configured as production should be (noeviction, append-only file on).
 */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      options.dir,
      '--appendonly',
      options.appendOnly === false ? 'no' : 'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url, child);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { url, port, process: child, stop };
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // refused until the server listens
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not answer PING within 10 s');
}
