import { rmSync } from 'node:fs';
import type { JobView } from '@infer/contracts';
import { inferenceQueueName, inferenceQueueShards } from '@infer/queues';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { generateModel, tempRepository } from './fixtures/fixture-models.ts';
import {
  bullJob,
  countLogLines,
  eventually,
  type ProbedWorker,
  sample,
  startProbedWorker,
  submit,
  waitDone,
} from './support/worker-harness.ts';

const SLOW = 'slow';
/** One image alone takes well over 1.5 s: a batch that outlives a 1 s lock even without batching. */
const SLOWER = 'slower';
/**
 * The slow model again, under its own name, for the poison-pill scenario alone: its workers
 * serve only it, so a job an earlier scenario left in another queue never joins its batch.
 */
const DYING = 'slow-dying';

/**
 * Lifecycle of real worker processes serving a slow model (one image takes
 * seconds on one CPU thread, like a big model on a busy CPU): lock renewal while
 * onnxruntime blocks its thread, SIGTERM drain, SIGKILL recovery, job timeouts.
 * The scenarios run in order against one API, each with fresh workers.
 */
describe('worker lifecycle with a slow model (real processes)', () => {
  let repository: string;
  let system: TestSystem;
  let events: QueueEvents[] = [];
  const stalled: string[] = [];
  const image = () => solidImage(COLOURS.green, 'png', 64);

  /** The one worker process alive (each scenario leaves exactly one running). */
  const running = () => {
    const alive = system.workers.filter((worker) => !worker.exited);
    if (alive.length !== 1) throw new Error(`expected one running worker, found ${alive.length}`);
    return alive[0] as (typeof system.workers)[number];
  };
  const stopAll = () => Promise.all(system.workers.filter((w) => !w.exited).map((w) => w.stop('SIGTERM')));
  const jobStatus = async (id: string): Promise<JobView> =>
    (await (await fetch(system.url(`/v1/jobs/${id}`))).json()) as JobView;
  const metrics = async (worker: ProbedWorker) => (await fetch(`${worker.url}/metrics`)).text();
  /** Wait until the worker holds `count` images in (or waiting for) an inference batch. */
  const pendingReaches = (worker: ProbedWorker, count: number) =>
    eventually(async () => sample(await metrics(worker), 'worker_inference_pending') === count, `${count} pending`);

  beforeAll(async () => {
    repository = tempRepository({ withReference: true });
    generateModel(repository, { kind: 'slow', name: SLOW, layers: 32 });
    generateModel(repository, { kind: 'slow', name: SLOWER, layers: 96 });
    generateModel(repository, { kind: 'slow', name: DYING, layers: 32 });
    system = await TestSystem.start({
      workers: 0,
      env: { MODEL_REPOSITORY: repository },
      // One onnxruntime thread, no warm-up (it would cost a slow batch per start).
      workerEnv: { INTRA_OP_THREADS: '1', WARMUP: 'false', MAX_BATCH_SIZE: '2', BATCH_WINDOW_MS: '100' },
    });
    events = [SLOW, SLOWER, DYING].map(
      (model) =>
        new QueueEvents(inferenceQueueShards(model, 1)[0] as string, {
          connection: testRedis(),
          prefix: system.prefix,
        }),
    );
    for (const queueEvents of events) {
      queueEvents.on('stalled', ({ jobId }) => stalled.push(jobId));
      await queueEvents.waitUntilReady();
    }
  });
  afterAll(async () => {
    await Promise.all(events.map((queueEvents) => queueEvents.close()));
    await system?.stop();
    rmSync(repository, { recursive: true, force: true });
  });

  it('keeps the lock of a batch longer than LOCK_DURATION_MS and answers /healthz meanwhile', async () => {
    const worker = await startProbedWorker(system, { LOCK_DURATION_MS: '1000' });
    // Two jobs; on an idle worker the first may run alone (nothing else announced), so
    // the model is one where a single image outlives the lock.
    const ids = [
      await submit(system, await image(), { model: SLOWER }),
      await submit(system, await image(), { model: SLOWER }),
    ];
    await eventually(async () => (sample(await metrics(worker), 'worker_inference_pending') ?? 0) > 0, 'a batch');
    // Probes answer while onnxruntime's session.run() blocks the inference thread.
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect(sample(await metrics(worker), 'worker_inference_pending')).toBeGreaterThan(0);

    const jobs = await Promise.all(ids.map((id) => waitDone(system, id, 120_000)));
    expect(
      jobs.map((job) => job.status),
      system.logs(),
    ).toEqual(['succeeded', 'succeeded']);
    // The premise: the batch outlived its lock one and a half times over (unrenewed, the lock
    // would have expired and the stalled check, every LOCK_DURATION_MS, would have caught it).
    expect(Math.max(...jobs.map((job) => job.timings?.inference_ms ?? 0))).toBeGreaterThan(1500);
    expect(stalled).toEqual([]);
    for (const id of ids) {
      expect(await bullJob(system, id, SLOWER)).toMatchObject({
        attemptsStarted: 1,
        stalledCounter: 0,
        state: 'completed',
      });
      expect(countLogLines(worker.process.logs, 'job started', id)).toBe(1);
    }
  }, 180_000);

  it('on SIGTERM finishes the running batch, hands the waiting job back and exits 0', async () => {
    const worker = running();
    const probed: ProbedWorker = { process: worker, url: (await startUrl(worker.logs)) as string };
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await submit(system, await image(), { model: SLOW }));
    await pendingReaches(probed, 3); // a batch of at most 2 running, the rest waiting for the next

    expect(await worker.stop('SIGTERM', 60_000)).toBe(0);
    const after = await Promise.all(ids.map(jobStatus));
    const finished = after.filter((job) => job.status === 'succeeded');
    const handedBack = after.filter((job) => job.status === 'queued');
    expect(finished.length, worker.logs).toBeGreaterThanOrEqual(1);
    expect(handedBack.length).toBeGreaterThanOrEqual(1);
    expect(finished.length + handedBack.length).toBe(3);
    for (const job of handedBack) {
      // Back in line (the API gives every job a BullMQ priority, so "prioritized" is waiting too).
      const back = await bullJob(system, job.id, SLOW);
      expect(back?.attemptsMade).toBe(0);
      expect(['waiting', 'prioritized']).toContain(back?.state);
    }
    expect(worker.logs).toMatch(/job handed back to the queue/);

    // Another worker takes the handed-back jobs at once (no lock expiry to wait for).
    await startProbedWorker(system, { LOCK_DURATION_MS: '2000' });
    const done = await Promise.all(ids.map((id) => waitDone(system, id, 120_000)));
    expect(done.map((job) => job.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(stalled).toEqual([]);
  }, 180_000);

  it('recovers the jobs of a SIGKILLed worker through the stalled-job check', async () => {
    const doomed = running();
    const probed: ProbedWorker = { process: doomed, url: (await startUrl(doomed.logs)) as string };
    const ids = [
      await submit(system, await image(), { model: SLOW }),
      await submit(system, await image(), { model: SLOW }),
    ];
    await pendingReaches(probed, 2); // both held: one batch running, or running and waiting
    expect(await doomed.stop('SIGKILL')).toBe('SIGKILL');
    expect((await Promise.all(ids.map(jobStatus))).map((job) => job.status)).toEqual(['running', 'running']);

    // LOCK_DURATION_MS=2000: the dead worker's locks expire and the new worker's
    // stalled check (every LOCK_DURATION_MS) puts the jobs back in the queue.
    const rescuer = await startProbedWorker(system, { LOCK_DURATION_MS: '2000' });
    const jobs = await Promise.all(ids.map((id) => waitDone(system, id, 120_000)));
    expect(
      jobs.map((job) => job.status),
      system.logs(),
    ).toEqual(['succeeded', 'succeeded']);
    expect(stalled.sort()).toEqual([...ids].sort());
    for (const id of ids) expect(countLogLines(rescuer.process.logs, 'job started', id)).toBe(1);
  }, 180_000);

  it('requeues a SIGKILLed worker’s jobs once its heartbeat is missed, long before their locks expire', async () => {
    await stopAll();
    // A minute's lock, as in production: only the missed heartbeat (2 s here) can free the jobs in time.
    const env = { LOCK_DURATION_MS: '60000', WORKER_HEARTBEAT_TTL_MS: '2000' };
    const doomed = await startProbedWorker(system, env);
    const ids = [
      await submit(system, await image(), { model: SLOW }),
      await submit(system, await image(), { model: SLOW }),
    ];
    await pendingReaches(doomed, 2);
    expect(await doomed.process.stop('SIGKILL')).toBe('SIGKILL');

    const rescuer = await startProbedWorker(system, env);
    // Inside the 60 s lock: heartbeat TTL, a reclaim round (TTL/3), a stalled check or two (5 s), the batch.
    // The reclaim line and metric below show that the jobs came back this way, not by lock expiry.
    const jobs = await Promise.all(ids.map((id) => waitDone(system, id, 40_000)));
    expect(
      jobs.map((job) => job.status),
      rescuer.process.logs,
    ).toEqual(['succeeded', 'succeeded']);
    expect(stalled.filter((jobId) => ids.includes(jobId)).sort()).toEqual([...ids].sort());
    const reclaimed =
      'reclaimed the jobs of a process that stopped beating; they run again after the next stalled check';
    for (const id of ids) expect(countLogLines(rescuer.process.logs, reclaimed, id)).toBe(1);
    for (const id of ids) expect(countLogLines(rescuer.process.logs, 'job started', id)).toBe(1);
    expect(sample(await metrics(rescuer), 'worker_reclaimed_jobs_total', { queue: inferenceQueueName(SLOW) })).toBe(2);
  }, 180_000);

  it('times jobs out after JOB_TIMEOUT_MS, retries them with backoff, fails them with job_timeout', async () => {
    await stopAll();
    // One image per batch: while one job's batch runs (seconds), the other waits in the batcher and times out there.
    const worker = await startProbedWorker(system, { JOB_TIMEOUT_MS: '300', MAX_BATCH_SIZE: '1' });
    const ids = [
      await submit(system, await image(), { model: SLOW }),
      await submit(system, await image(), { model: SLOW }),
    ];
    const jobs = await Promise.all(ids.map((id) => waitDone(system, id, 120_000)));
    for (const job of jobs) {
      expect(job, `${JSON.stringify(job)}\n${worker.process.logs}`).toMatchObject({
        status: 'failed',
        error: { code: 'job_timeout' },
      });
      // JOB_ATTEMPTS defaults to 3: a timeout may be load, so it is retried like other transient errors.
      expect(await bullJob(system, job.id, SLOW)).toMatchObject({ attemptsMade: 3, state: 'failed' });
      // A batch finishing after its attempt timed out must not "succeed" the retry running meanwhile.
      expect(countLogLines(worker.process.logs, 'job succeeded', job.id)).toBe(0);
    }
    const text = await metrics(worker);
    expect(sample(text, 'worker_jobs_total', { model: SLOW, outcome: 'retried' })).toBe(4);
    expect(sample(text, 'worker_job_failures_total', { model: SLOW, code: 'job_timeout' })).toBe(2);
    // Attempts that timed out while still waiting for a batch were withdrawn from it: fewer batches than attempts.
    await eventually(async () => sample(await metrics(worker), 'worker_inference_pending') === 0, 'idle');
    expect(sample(await metrics(worker), 'worker_batch_size_count', { model: SLOW })).toBeLessThan(6);
  }, 180_000);

  it('reports ready only after loading and warming up its models, while /healthz answers from the start', async () => {
    await stopAll();
    const before = system.workers.length;
    // Only the 32-layer model: warming the 96-layer one too took ~50 s alone and over
    // startWorker's 60 s under the full suite's load.
    const starting = system.startWorker({ WARMUP: 'true', WORKER_MODELS: SLOW });
    await eventually(() => system.workers.length > before, 'the worker process');
    const worker = system.workers[before] as (typeof system.workers)[number];
    await eventually(async () => (await startUrl(worker.logs)) !== undefined, 'probe port');
    const url = (await startUrl(worker.logs)) as string;
    // Warming the slow model (a batch of 1, then of MAX_BATCH_SIZE=2) takes seconds: observe it from outside.
    await eventually(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, 'healthz');
    const readyDuringWarmUp = await fetch(`${url}/readyz`);
    expect(worker.logs).not.toContain('"msg":"models loaded"');
    expect(readyDuringWarmUp.status).toBe(503);
    expect(await readyDuringWarmUp.json()).toEqual({ status: 'not_ready' });
    await starting;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const lines = worker.logs.split('\n');
    const loadedAt = lines.findIndex((line) => line.includes('"msg":"models loaded"'));
    expect(JSON.parse(lines[loadedAt] as string)).toMatchObject({ warmedUp: true, provider: 'cpu' });
    expect(loadedAt).toBeLessThan(lines.findIndex((line) => line.includes('"msg":"worker ready"')));
  }, 180_000);

  it('fails a job whose workers keep dying under it, instead of leaving it running forever', async () => {
    await stopAll();
    // maxStalledCount is 2: the third interruption is one too many.
    let id: string | undefined;
    for (let kill = 0; kill < 3; kill++) {
      const worker = await startProbedWorker(system, { LOCK_DURATION_MS: '1000', WORKER_MODELS: DYING });
      id ??= await submit(system, await image(), { model: DYING });
      await pendingReaches(worker, 1); // (re)started by this worker: in its batch
      expect(await worker.process.stop('SIGKILL')).toBe('SIGKILL');
    }
    const last = await startProbedWorker(system, { LOCK_DURATION_MS: '1000', WORKER_MODELS: DYING });
    const job = await waitDone(system, id as string, 60_000);
    expect(job, last.process.logs).toMatchObject({ status: 'failed', error: { code: 'inference_failed' } });
    expect(job.error?.message).toMatch(/interrupted 3 times/);
    expect(await bullJob(system, id as string, DYING)).toMatchObject({ state: 'failed' });
    expect(stalled.filter((jobId) => jobId === id)).toHaveLength(3);
    expect(countLogLines(last.process.logs, 'job started', id as string)).toBe(0);
  }, 180_000);
});

async function startUrl(logs: string): Promise<string | undefined> {
  const port = /"port":(\d+),"msg":"probes listening"/.exec(logs)?.[1];
  return port ? `http://127.0.0.1:${port}` : undefined;
}
