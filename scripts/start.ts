/**
 * `pnpm start`: the whole system on one machine. Uses REDIS_URL if set, otherwise
 * starts a private redis-server (append-only, data under .data/redis) on a free
 * port, then runs the API, a worker and the webhook dispatcher, and stops everything on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DevRedis, redisFromEnvOrLocal } from '../dev-support/local-redis.ts';
import { localWebhookSecret } from './lib/local-webhook-secret.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let redis: DevRedis;
try {
  redis = await redisFromEnvOrLocal({ dir: path.join(root, '.data', 'redis') });
} catch (error) {
  // One line saying what to do (no redis-server on PATH, or it would not start), not a stack.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const redisUrl = redis.url;
if (redis.local) process.stdout.write(`started redis-server on ${redisUrl} (data in .data/redis)\n`);

const webhookSecret = process.env.WEBHOOK_SECRET || localWebhookSecret();

const services: { name: string; entry: string }[] = [
  { name: 'api', entry: 'apps/api/src/main.ts' },
  { name: 'worker', entry: 'apps/worker/src/main.ts' },
  { name: 'webhook-dispatcher', entry: 'apps/webhook-dispatcher/src/main.ts' },
];
const children = new Map<string, ChildProcess>();
let stopping = false;

for (const service of services) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, service.entry)], {
    cwd: root,
    env: { ...process.env, REDIS_URL: redisUrl, WEBHOOK_SECRET: webhookSecret },
    stdio: 'inherit',
  });
  children.set(service.name, child);
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (!stopping) {
      process.stderr.write(`${service.name} exited (${signal ?? code}); stopping everything\n`);
      void stop(1);
    } else if (children.size === 0) void finish();
  });
}

let exitCode = 0;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) await finish();
}

async function finish(): Promise<void> {
  await redis.stop();
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

await printBanner();

/** Once the system is ready (a worker has loaded its model): one block with every URL a newcomer wants. */
async function printBanner(): Promise<void> {
  const port = process.env.PORT || '8080';
  const host = !process.env.HOST || process.env.HOST === '0.0.0.0' ? 'localhost' : process.env.HOST;
  const base = `http://${host}:${port}`;
  const deadline = Date.now() + 60_000;
  while (!stopping && Date.now() < deadline) {
    const up = await fetch(`${base}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (stopping) return;
  const rows = [
    ['Console', `${base}/`],
    ['API reference', `${base}/docs`],
    ['Queues', `${base}/admin/queues`],
    ['Metrics', `${base}/metrics`],
    ['Try it', `curl -s -F image=@examples/leaf.jpg -H 'Prefer: wait=10' ${base}/v1/jobs`],
  ];
  const lines = rows.map(([name, value]) => `  ${(name as string).padEnd(14)} ${value}`);
  process.stdout.write(`\n  Image inference is running (Ctrl-C stops it)\n${lines.join('\n')}\n\n`);
}
