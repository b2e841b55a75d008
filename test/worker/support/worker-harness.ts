import { readFileSync } from 'node:fs';
import type { JobAccepted, JobView } from '@infer/contracts';
import { JobStore } from '@infer/job-store';
import { INFERENCE_JOB_NAME, inferenceJobOptions, inferenceQueueShards, newJobId } from '@infer/queues';
import { Queue } from 'bullmq';
import { freePort } from '../../../dev-support/free-port.ts';
import { pollUntilDone, submitImage } from '../../support/jobs-client.ts';
import type { ServiceProcess } from '../../support/processes.ts';
import { testRedis } from '../../support/redis.ts';
import type { TestSystem } from '../../support/system.ts';

/** A worker started with a known WORKER_PORT, so that tests can reach its probes and metrics. */
export interface ProbedWorker {
  process: ServiceProcess;
  url: string;
}

export async function startProbedWorker(system: TestSystem, env: Record<string, string> = {}): Promise<ProbedWorker> {
  const port = String(await freePort());
  const process = await system.startWorker({ ...env, WORKER_PORT: port });
  return { process, url: `http://127.0.0.1:${port}` };
}

/** Submit through the API and answer the job id (fails the test on anything but 202). */
export async function submit(
  system: TestSystem,
  image: Uint8Array,
  fields: Record<string, string> = {},
  filename = 'leaf.png',
): Promise<string> {
  const response = await submitImage(system.apiUrl, image, fields, filename);
  if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as JobAccepted).id;
}

export const waitDone = (system: TestSystem, id: string, timeoutMs = 60_000): Promise<JobView> =>
  pollUntilDone(system.apiUrl, id, timeoutMs);

/**
 * Put a job straight into the store and queue, as the API would, for bytes the
 * API refuses up front (a zero-byte file, a GIF): the worker must still cope
 * with whatever reaches Redis.
 */
export async function enqueueDirectly(
  system: TestSystem,
  image: Uint8Array,
  model = 'plant-pathology',
): Promise<string> {
  const redis = testRedis();
  const queue = new Queue(inferenceQueueShards(model, 1)[0] as string, { connection: redis, prefix: system.prefix });
  try {
    // A job id as the API makes them (UUIDv7): the API answers 404 for any other shape.
    const id = newJobId();
    await new JobStore(redis, system.prefix, 3600).create({ id, model, createdAt: new Date() }, image);
    await queue.add(
      INFERENCE_JOB_NAME,
      { jobId: id, model, enqueuedAt: Date.now() },
      inferenceJobOptions({ jobId: id, attempts: 3 }),
    );
    return id;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** BullMQ's view of a job: attempts made, stalled count, state. */
export async function bullJob(system: TestSystem, id: string, model = 'plant-pathology') {
  const redis = testRedis();
  const queue = new Queue(inferenceQueueShards(model, 1)[0] as string, { connection: redis, prefix: system.prefix });
  try {
    const job = await queue.getJob(id);
    if (!job) return undefined;
    return {
      attemptsMade: job.attemptsMade,
      attemptsStarted: job.attemptsStarted,
      stalledCounter: job.stalledCounter,
      state: await job.getState(),
    };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Jobs of a model's queue that no worker has taken yet. */
export async function waitingCount(system: TestSystem, model: string): Promise<number> {
  const redis = testRedis();
  const queue = new Queue(inferenceQueueShards(model, 1)[0] as string, { connection: redis, prefix: system.prefix });
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized');
    return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Resident memory of a process, from /proc (Linux), in MiB. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** One sample of a Prometheus text exposition, e.g. sample(text, 'worker_jobs_total', { outcome: 'failed' }). */
export function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** Poll until `check` answers true (state, not time: the timeout only bounds a failing test). */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Count log lines of a process that are a given pino message for a given job. */
export function countLogLines(logs: string, msg: string, jobId: string): number {
  return logs.split('\n').filter((line) => line.includes(`"msg":"${msg}"`) && line.includes(jobId)).length;
}
