import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnv } from '@infer/config';
import type { JobView } from '@infer/contracts';
import { decodeImage, loadModelRepository, ModelServer } from '@infer/inference';
import { sessionSettingsOf } from '../../apps/worker/src/session-settings.ts';
import { freePort } from '../../dev-support/free-port.ts';
import { startLocalRedis } from '../../dev-support/local-redis.ts';
import { ROOT, ServiceProcess } from '../../test/support/processes.ts';

/** One way of classifying an image, started for one model, measured from outside. */
export interface System {
  name: 'raw' | 'ours' | 'peer';
  send: (image: Uint8Array) => Promise<string>;
  /** Processes whose CPU and memory the figures count. */
  pids: Record<string, number>;
  close: () => Promise<void>;
}

export interface BenchModel {
  key: string;
  /** Model name in the bench's model repository. */
  name: string;
  title: string;
  /** torchvision architecture the peer rebuilds (empty for the reference model). */
  arch: string;
}

/** The worker's session settings with every variable at its default (CPU provider). */
export const CPU_SESSION = sessionSettingsOf(loadEnv({}));

/** The raw pipeline: the worker's own sharp preprocessing and ModelServer in this process; no HTTP, no Redis. */
export async function startRaw(repository: string, model: BenchModel): Promise<System> {
  const models = loadModelRepository(repository, [model.name]);
  const input = models.get(model.name)?.config.input;
  if (!input) throw new Error(`no model ${model.name} in ${repository}`);
  const server = await ModelServer.start(models, CPU_SESSION, { windowMs: 0, maxBatchSize: 1 });
  return {
    name: 'raw',
    pids: { bench: process.pid },
    send: async (image) => {
      const { pixels } = await decodeImage(image, input, { maxInputPixels: 100_000_000 });
      const outcome = await server.infer(model.name, undefined, pixels);
      return outcome.predictions[0]?.label ?? '';
    },
    close: () => server.close(),
  };
}

/** A Redis the caller started and stops: the variables that point the processes at it, and its processes to measure. */
export interface ExternalRedis {
  env: Record<string, string>;
  pids: Record<string, number>;
}

/**
 * Ours as shipped: a private Redis (AOF), the API and worker processes with their defaults,
 * `Prefer: wait`. With `redis`, the processes use that Redis instead (left running by close()).
 */
export async function startOurs(
  repository: string,
  model: BenchModel,
  options: { workers?: number; env?: Record<string, string>; redis?: ExternalRedis } = {},
): Promise<
  System & {
    url: string;
    api: ServiceProcess;
    workers: ServiceProcess[];
    redisUrl: string;
    /** Each worker's probe server (/readyz, /metrics), in the order they started. */
    workerUrls: string[];
    /** Start one more worker (ready when this resolves); its pid joins `pids`. */
    addWorker: (env?: Record<string, string>) => Promise<void>;
  }
> {
  const dir = options.redis ? undefined : mkdtempSync(path.join(tmpdir(), 'infer-bench-redis-'));
  const redis = dir ? await startLocalRedis({ dir, appendOnly: true }) : undefined;
  const redisEnv = options.redis?.env ?? { REDIS_URL: redis?.url as string };
  const port = await freePort();
  const env = {
    ...redisEnv,
    // The default level: the API's access log is on, the worker writes no line per job.
    LOG_LEVEL: 'info',
    MODEL_REPOSITORY: repository,
    DEFAULT_MODEL: model.name,
    WORKER_MODELS: model.name,
    MAX_QUEUE_DEPTH: '10000000',
    ...options.env,
  };
  const api = new ServiceProcess('api', 'apps/api/src/main.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  const workers: ServiceProcess[] = [];
  const workerUrls: string[] = [];
  const pids: Record<string, number> = options.redis
    ? { ...options.redis.pids }
    : { redis: redis?.process.pid as number };
  const addWorker = async (extra: Record<string, string> = {}) => {
    const i = workers.length;
    const workerPort = await freePort();
    const worker = new ServiceProcess(`worker-${i}`, 'apps/worker/src/main.ts', {
      ...env,
      ...extra,
      WORKER_PORT: String(workerPort),
    });
    workers.push(worker);
    workerUrls.push(`http://127.0.0.1:${workerPort}`);
    await worker.waitForHttp(`http://127.0.0.1:${workerPort}/readyz`, 180_000);
    pids[(options.workers ?? 1) === 1 && i === 0 ? 'worker' : `worker${i}`] = worker.child.pid as number;
  };
  for (let i = 0; i < (options.workers ?? 1); i++) await addWorker();
  await api.waitForHttp(`${url}/${workers.length > 0 ? 'readyz' : 'healthz'}`, 60_000);
  pids.api = api.child.pid as number;
  return {
    name: 'ours',
    url,
    api,
    workers,
    redisUrl: redisEnv.REDIS_URL ?? '',
    workerUrls,
    addWorker,
    pids,
    send: async (image) => {
      const response = await fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg', prefer: 'wait=120' },
        body: image,
      });
      const job = (await response.json()) as JobView;
      if (job.status !== 'succeeded') throw new Error(`job ${job.id}: ${response.status} ${job.status}`);
      return job.result?.predictions[0]?.label ?? '';
    },
    close: async () => {
      await Promise.allSettled([api.stop(), ...workers.map((worker) => worker.stop())]);
      await redis?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The seed-style peer: FastAPI + uvicorn + PyTorch (tools/bench-peer/peer.py), one process, synchronous. */
export async function startPeer(repository: string, model: BenchModel): Promise<System> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    '/usr/bin/python3',
    [
      '-m',
      'uvicorn',
      'peer:app',
      '--app-dir',
      path.join(ROOT, 'tools/bench-peer'),
      '--port',
      String(port),
      '--log-level',
      'warning',
    ],
    {
      env: { ...process.env, BENCH_PEER_MODEL: path.join(repository, model.name), BENCH_PEER_ARCH: model.arch },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the peer exited with ${child.exitCode}`);
    const up = await fetch(`${url}/openapi.json`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error('the peer did not start within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name: 'peer',
    pids: { peer: child.pid as number },
    send: async (image) => {
      const form = new FormData();
      form.set('image', new Blob([image], { type: 'image/jpeg' }), 'leaf.jpg');
      const response = await fetch(`${url}/predict`, { method: 'POST', body: form });
      if (!response.ok) throw new Error(`peer answered ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as { predictions: { label: string }[] };
      return body.predictions[0]?.label ?? '';
    },
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
