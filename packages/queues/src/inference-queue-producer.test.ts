import { Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { createInferenceWorker, INFERENCE_JOB_NAME, inferenceJobDataSchema } from './inference-queue-contract.ts';
import { enqueuedOf, InferenceQueues } from './inference-queue-producer.ts';
import { newJobId } from './job-id.ts';

/** Producer (InferenceQueues) and consumer (createInferenceWorker) of one module agree on a real Redis. */
describe('inference queues (real Redis)', () => {
  const prefix = uniquePrefix('queues');
  let redis: Redis;
  let workerRedis: Redis;
  let queues: InferenceQueues;
  beforeAll(() => {
    redis = testRedis();
    workerRedis = testRedis();
    queues = new InferenceQueues(redis, prefix, ['a', 'b']);
  });
  afterAll(async () => {
    await queues.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
    workerRedis.disconnect();
  });

  const job = (model: string, priority: number) =>
    enqueuedOf({ id: newJobId(), model, createdAt: new Date(), priority, requestId: 'req-1' });

  it('keeps the line by client priority, then submission order, and tells each job its place', async () => {
    const low = job('a', 0);
    const high = job('a', 100);
    const lowLater = job('a', 0);
    await queues.enqueueMany([low, high, lowLater], { attempts: 2 });
    expect(await queues.depth('a')).toBe(3);
    expect(await queues.position('a', high.data.jobId)).toBe(1);
    expect(await queues.position('a', low.data.jobId)).toBe(2);
    expect(await queues.position('a', lowLater.data.jobId)).toBe(3);
    expect(await queues.position('a', newJobId())).toBeNull();
    expect(await queues.existing([low.data, high.data].map((d) => ({ id: d.jobId, model: 'a' })))).toEqual([
      true,
      true,
    ]);
    expect(await queues.existing([{ id: newJobId(), model: 'a' }])).toEqual([false]);

    // Enqueuing the same job again adds nothing: its BullMQ id is the job id.
    await queues.enqueueMany([low], { attempts: 2 });
    expect(await queues.depth('a')).toBe(3);

    const stored = await Job.fromId(queues.get('a'), low.data.jobId);
    expect(stored?.name).toBe(INFERENCE_JOB_NAME);
    expect(stored?.opts).toMatchObject({ attempts: 2, backoff: { type: 'exponential', delay: 1000 } });
    expect(inferenceJobDataSchema.parse(stored?.data)).toEqual(low.data);
  });

  it('hands jobs to the worker of their model in that order, with the payload the schema reads', async () => {
    const first = job('b', 50);
    const second = job('b', 10);
    await queues.enqueueMany([second, first], { attempts: 1 });
    const seen: string[] = [];
    let worker: Worker | undefined;
    const done = new Promise<void>((resolve) => {
      worker = createInferenceWorker(
        workerRedis,
        'b',
        async (taken) => {
          expect(taken.name).toBe(INFERENCE_JOB_NAME);
          seen.push(inferenceJobDataSchema.parse(taken.data).jobId);
          if (seen.length === 2) resolve();
        },
        { prefix, concurrency: 1, lockDurationMs: 5000, resultTtlSeconds: 60 },
      );
      void worker.run();
    });
    await done;
    await worker?.close();
    expect(seen).toEqual([first.data.jobId, second.data.jobId]);
    expect(await queues.depth('b')).toBe(0);
  });

  it('refuses a model it has no queue for', () => {
    expect(queues.has('c')).toBe(false);
    expect(() => queues.get('c')).toThrow(/no queue for model c/);
  });
});
