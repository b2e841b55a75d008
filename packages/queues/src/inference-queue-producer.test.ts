import { Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import {
  createInferenceWorkers,
  INFERENCE_JOB_NAME,
  inferenceJobDataSchema,
  inferenceQueueLabel,
  inferenceQueueOfShard,
  inferenceQueueShards,
} from './inference-queue-contract.ts';
import { enqueuedOf, InferenceQueues } from './inference-queue-producer.ts';
import { newJobId } from './job-id.ts';

/** Producer (InferenceQueues) and consumer (createInferenceWorkers) of one module agree on a real Redis. */
describe('inference queues (real Redis)', () => {
  const suite = useQueues('queues', ['a', 'b'], 1);

  const job = (model: string, priority: number) =>
    enqueuedOf({ id: newJobId(), model, createdAt: new Date(), priority, requestId: 'req-1' });

  it('keeps the line by client priority, then submission order, and tells each job its place', async () => {
    const low = job('a', 0);
    const high = job('a', 100);
    const lowLater = job('a', 0);
    await suite.producer.enqueueMany([low, high, lowLater], { attempts: 2 });
    expect(await suite.producer.depth('a')).toBe(3);
    expect(await suite.producer.position('a', high.data.jobId)).toBe(1);
    expect(await suite.producer.position('a', low.data.jobId)).toBe(2);
    expect(await suite.producer.position('a', lowLater.data.jobId)).toBe(3);
    expect(await suite.producer.position('a', newJobId())).toBeNull();
    expect(await suite.producer.existing([low.data, high.data].map((d) => ({ id: d.jobId, model: 'a' })))).toEqual([
      true,
      true,
    ]);
    expect(await suite.producer.existing([{ id: newJobId(), model: 'a' }])).toEqual([false]);

    // Enqueuing the same job again adds nothing: its BullMQ id is the job id.
    await suite.producer.enqueueMany([low], { attempts: 2 });
    expect(await suite.producer.depth('a')).toBe(3);

    const stored = await Job.fromId(suite.producer.get('a', low.data.jobId), low.data.jobId);
    expect(stored?.name).toBe(INFERENCE_JOB_NAME);
    expect(stored?.opts).toMatchObject({ attempts: 2, backoff: { type: 'exponential', delay: 1000 } });
    expect(inferenceJobDataSchema.parse(stored?.data)).toEqual(low.data);
  });

  it('hands jobs to the worker of their model in that order, with the payload the schema reads', async () => {
    const first = job('b', 50);
    const second = job('b', 10);
    await suite.producer.enqueueMany([second, first], { attempts: 1 });
    const seen: string[] = [];
    let worker: Worker | undefined;
    const done = new Promise<void>((resolve) => {
      [worker] = createInferenceWorkers(
        suite.workerRedis,
        'b',
        async (taken) => {
          expect(taken.name).toBe(INFERENCE_JOB_NAME);
          seen.push(inferenceJobDataSchema.parse(taken.data).jobId);
          if (seen.length === 2) resolve();
        },
        { prefix: suite.prefix, concurrency: 1, shards: 1, lockDurationMs: 5000, resultTtlSeconds: 60 },
      );
      void worker?.run();
    });
    await done;
    await worker?.close();
    expect(seen).toEqual([first.data.jobId, second.data.jobId]);
    expect(await suite.producer.depth('b')).toBe(0);
  });

  it('refuses a model it has no queue for', () => {
    expect(suite.producer.has('c')).toBe(false);
    expect(() => suite.producer.get('c', newJobId())).toThrow(/no queue for model c/);
  });
});

/** QUEUE_SHARDS: one model's queue as several BullMQ queues, each its own hash tag (slot). */
describe('sharded inference queues (real Redis)', () => {
  const suite = useQueues('queue-shards', ['m'], 3);

  const job = (priority: number) => enqueuedOf({ id: newJobId(), model: 'm', createdAt: new Date(), priority });

  it('names one hash tag per shard, spread over equal slot ranges, and maps each back to the model queue', () => {
    const names = inferenceQueueShards('m', 3);
    expect(inferenceQueueShards('m', 1)).toEqual(['{inference.m}']);
    expect(new Set(names).size).toBe(3);
    for (const [k, name] of names.entries()) {
      expect(name).toMatch(new RegExp(`^\\{inference\\.m#${k}(~\\d+)?\\}$`));
      expect(inferenceQueueOfShard(name)).toBe('inference.m');
    }
    expect(inferenceQueueOfShard('{inference.m}')).toBe('inference.m');
    expect(names.map(inferenceQueueLabel)).toEqual([
      'inference.m shard 0',
      'inference.m shard 1',
      'inference.m shard 2',
    ]);
    expect(inferenceQueueLabel('{inference.m}')).toBe('inference.m');
  });

  it('spreads jobs over the shards by id, sums the depth, keeps each job in one shard, and estimates its place', async () => {
    const jobs = Array.from({ length: 60 }, () => job(0));
    const urgent = job(100);
    await suite.producer.enqueueMany([...jobs, urgent], { attempts: 1 });
    const perShard = await Promise.all(suite.producer.shardsOf('m').map((queue) => queue.getJobCounts('prioritized')));
    expect(perShard.every(({ prioritized }) => (prioritized ?? 0) > 5)).toBe(true);
    expect(await suite.producer.depth('m')).toBe(61);
    // Enqueued again (the enqueue repair), a job lands in the same shard and adds nothing.
    await suite.producer.enqueueMany(jobs.slice(0, 10), { attempts: 1 });
    expect(await suite.producer.depth('m')).toBe(61);
    expect(await suite.producer.existing(jobs.slice(0, 3).map(({ data }) => ({ id: data.jobId, model: 'm' })))).toEqual(
      [true, true, true],
    );
    // The priority-100 job is first in line whatever its shard; the last one is near the end.
    expect(await suite.producer.position('m', urgent.data.jobId)).toBe(1);
    const last = jobs.at(-1)?.data.jobId as string;
    const position = (await suite.producer.position('m', last)) as number;
    expect(position).toBeGreaterThan(30);
    expect(position).toBeLessThanOrEqual(61);
  });

  it('has one worker per shard consume every shard, the concurrency split between them', async () => {
    const seen = new Set<string>();
    const workers = createInferenceWorkers(
      suite.workerRedis,
      'm',
      async (taken) => {
        seen.add(inferenceJobDataSchema.parse(taken.data).jobId);
      },
      { prefix: suite.prefix, concurrency: 4, shards: 3, lockDurationMs: 5000, resultTtlSeconds: 60 },
    );
    expect(workers.map((worker) => worker.name)).toEqual(inferenceQueueShards('m', 3));
    expect(workers.map((worker) => worker.concurrency)).toEqual([2, 2, 2]);
    for (const worker of workers) void worker.run();
    await expect.poll(() => seen.size, { timeout: 10_000 }).toBe(61);
    await Promise.all(workers.map((worker) => worker.close()));
    expect(await suite.producer.depth('m')).toBe(0);
  });
});

/** A producer of `models` with `shards` queue shards and a worker connection, on a unique prefix, cleaned up after the suite. */
function useQueues(label: string, models: string[], shards: number) {
  const prefix = uniquePrefix(label);
  const state = {} as { redis: Redis; workerRedis: Redis; queues: InferenceQueues };
  beforeAll(() => {
    state.redis = testRedis();
    state.workerRedis = testRedis();
    state.queues = new InferenceQueues(state.redis, prefix, models, shards);
  });
  afterAll(async () => {
    await state.queues.close();
    await deletePrefix(state.redis, prefix);
    state.redis.disconnect();
    state.workerRedis.disconnect();
  });
  return {
    prefix,
    /** Getters: the suite's hooks create them. */
    get producer() {
      return state.queues;
    },
    get workerRedis() {
      return state.workerRedis;
    },
  };
}
