import path from 'node:path';
import { loadEnv } from '@infer/config';
import type { JobView } from '@infer/contracts';
import { JobStore, WorkerRegistry } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { enqueuedOf, InferenceQueues, newJobId } from '@infer/queues';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../test/support/images.ts';
import { ROOT } from '../../../test/support/processes.ts';
import { deletePrefix, testRedis, testRedisUrl, uniquePrefix } from '../../../test/support/redis.ts';
import { expectedTopLabel } from '../../../test/support/reference-model.ts';
import { startWorker } from './start-worker.ts';

const MODEL = 'plant-pathology';

/** Sockets, servers and timers this process holds: what a closed worker must give back. */
const heldResources = () =>
  process
    .getActiveResourcesInfo()
    .filter((kind) => kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout');

/**
 * The worker's composition root in-process, on the test Redis with the reference model
 * from models/: it takes a job a producer enqueued, stores the model's answer, and
 * close() leaves nothing running (no socket, server or timer of its own, no registry entry).
 */
describe('startWorker (in-process, real Redis and model)', () => {
  const prefix = uniquePrefix('start-worker');
  let redis: Redis;
  let queues: InferenceQueues;
  beforeAll(() => {
    redis = testRedis();
    queues = new InferenceQueues(redis, prefix, [MODEL]);
  });
  afterAll(async () => {
    await queues.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('processes a queued job, then closes everything it opened', async () => {
    await redis.ping();
    const before = heldResources().length;
    const env = loadEnv({
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      MODEL_REPOSITORY: path.join(ROOT, 'models'),
      WORKER_PORT: '0',
      WARMUP: 'false',
      LOG_LEVEL: 'silent',
    });
    const exits: number[] = [];
    const worker = await startWorker(env, {
      logger: createLogger({ name: 'worker', level: 'silent' }),
      exit: (code) => {
        exits.push(code);
        throw new Error(`worker asked to exit with ${code}`);
      },
    });
    let closed = false;
    try {
      const ready = await fetch(`http://127.0.0.1:${worker.port}/readyz`);
      expect(ready.status).toBe(200);
      const registry = new WorkerRegistry(redis, prefix);
      const ttlMs = env.WORKER_HEARTBEAT_TTL_MS;
      await expect.poll(async () => (await registry.alive(ttlMs)).map((entry) => entry.id)).toContain(worker.workerId);

      const store = new JobStore(redis, prefix, 3600);
      const id = newJobId();
      await store.create({ id, model: MODEL, createdAt: new Date() }, await solidImage(COLOURS.orangeBrown, 'png', 64));
      await queues.enqueueMany([enqueuedOf({ id, model: MODEL, createdAt: new Date(), priority: 0 })], {
        attempts: 1,
      });
      await expect.poll(async () => (await store.get(id))?.status, { timeout: 20_000, interval: 50 }).toBe('succeeded');
      const job = (await store.get(id)) as JobView;
      expect(job.result?.predictions[0]?.label).toBe(expectedTopLabel(COLOURS.orangeBrown));

      await worker.close();
      closed = true;
      expect(exits).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${worker.port}/healthz`)).rejects.toThrow();
      expect((await registry.seen(ttlMs)).map((entry) => entry.id)).not.toContain(worker.workerId);
      // Sockets close and timers clear a tick after their close() resolves.
      await expect.poll(() => heldResources().length, { timeout: 5000 }).toBeLessThanOrEqual(before);
    } finally {
      if (!closed) await worker.close();
    }
  });
});
