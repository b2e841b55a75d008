import type { JobView } from '@infer/contracts';
import { WorkerRegistry } from '@infer/job-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-support/free-port.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { testRedis } from '../support/redis.ts';
import { sseEvents } from '../support/sse.ts';
import { TestSystem } from '../support/system.ts';

type ModelView = {
  name: string;
  workers: number;
  loading_workers: number;
  throughput_per_second: number;
  batch_size_limit: number | null;
};

/** Queued jobs say why they wait and for about how long; /v1/models says who serves (real processes). */
describe('queue_position, eta_ms and waiting_reason (real API, worker, Redis)', () => {
  let system: TestSystem;
  let image: Buffer;
  const get = async (id: string) => (await (await fetch(system.url(`/v1/jobs/${id}`))).json()) as JobView;
  const model = async () =>
    ((await (await fetch(system.url('/v1/models'))).json()) as { models: ModelView[] }).models[0] as ModelView;
  /**
   * A worker in a state a real one passes through quickly, announced as a worker does (same registry,
   * beating every 500 ms so it stays alive however slow the machine); the returned function makes it leave.
   */
  const announce = async (id: string, state: 'loading' | 'ready', throughput: Record<string, number> = {}) => {
    const redis = testRedis();
    const registry = new WorkerRegistry(redis, system.prefix);
    const beat = () => {
      const now = new Date().toISOString();
      return registry.beat(
        {
          id,
          hostname: 'test',
          pid: 1,
          models: [{ name: 'plant-pathology', versions: ['1'] }],
          execution_provider: 'cpu',
          started_at: now,
          seen_at: now,
          state,
          throughput,
        },
        3000,
      );
    };
    await beat();
    const timer = setInterval(() => void beat().catch(() => undefined), 500);
    return async () => {
      clearInterval(timer);
      await registry.leave(id).finally(() => redis.disconnect());
    };
  };

  beforeAll(async () => {
    image = await solidImage(COLOURS.green, 'png', 32);
    system = await TestSystem.start({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('says no_worker_for_model, then model_loading, then workers_busy with an estimate from the throughput', async () => {
    const id = ((await (await submitImage(system.apiUrl, image)).json()) as JobView).id;
    expect(await get(id)).toMatchObject({
      status: 'queued',
      queue_position: 1,
      eta_ms: null,
      waiting_reason: 'no_worker_for_model',
    });
    // The event stream's first event carries the same standing.
    const hangUp = new AbortController();
    const stream = await fetch(system.url(`/v1/jobs/${id}/events`), { signal: hangUp.signal });
    const first = await sseEvents(stream).next();
    expect(JSON.parse(first.value?.data ?? '{}')).toMatchObject({
      waiting_reason: 'no_worker_for_model',
      queue_position: 1,
    });
    hangUp.abort();

    const leaveLoading = await announce('loading-worker', 'loading');
    // The API reads heartbeats at most once a second.
    await expect.poll(async () => (await get(id)).waiting_reason, { timeout: 3000 }).toBe('model_loading');
    expect(await model()).toMatchObject({ loading_workers: 1, batch_size_limit: null }); // a heartbeat without batch_limits
    await leaveLoading();

    // A ready worker finishing 4 jobs a second: the job first in line waits about 250 ms.
    const leaveReady = await announce('busy-worker', 'ready', { 'plant-pathology': 4 });
    await expect.poll(async () => (await get(id)).waiting_reason, { timeout: 3000 }).toBe('workers_busy');
    expect(await get(id)).toMatchObject({ queue_position: 1, eta_ms: 250 });
    const second = ((await (await submitImage(system.apiUrl, image)).json()) as JobView).id;
    expect(await get(second)).toMatchObject({ queue_position: 2, eta_ms: 500, waiting_reason: 'workers_busy' });
    await leaveReady();
  });

  it('a real worker reports its throughput and tuned batch cap in /v1/models; a job no longer queued has no standing', async () => {
    const workerPort = String(await freePort());
    await system.startWorker({ WORKER_PORT: workerPort });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await (await submitImage(system.apiUrl, image)).json()) as JobView).id);
    const done = await pollUntilDone(system.apiUrl, ids[4] as string);
    expect(done).toMatchObject({ status: 'succeeded', queue_position: null, eta_ms: null, waiting_reason: null });
    await expect.poll(async () => (await model()).throughput_per_second, { timeout: 5000 }).toBeGreaterThan(0);
    expect(await model()).toMatchObject({ workers: 1, loading_workers: 0 });
    // The cap it chose at warm-up on this machine, within MAX_BATCH_SIZE (8), as its metrics say.
    const limit = (await model()).batch_size_limit;
    expect(limit).toBeGreaterThanOrEqual(1);
    expect(limit).toBeLessThanOrEqual(8);
    const metrics = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
    expect(metrics).toContain(`worker_batch_size_limit{model="plant-pathology",version="1"} ${limit}`);
  });
});
