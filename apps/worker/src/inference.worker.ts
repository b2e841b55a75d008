import { inferenceQueueName } from '@infer/contracts';
import { type Processor, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface InferenceWorkerOptions {
  models: string[];
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  resultTtlSeconds: number;
}

/**
 * One BullMQ Worker per model queue, sharing one connection factory. They are
 * created paused (autorun: false) and started once models are warm.
 */
export function createInferenceWorkers(
  connection: Redis,
  processor: Processor,
  options: InferenceWorkerOptions,
): Worker[] {
  return options.models.map(
    (model) =>
      new Worker(inferenceQueueName(model), processor, {
        connection,
        prefix: options.prefix,
        autorun: false,
        concurrency: options.concurrency,
        // Inference runs in a worker thread, so lock renewal is not starved; the
        // duration still covers a long batch if the event loop is briefly busy.
        lockDuration: options.lockDurationMs,
        stalledInterval: Math.min(30_000, options.lockDurationMs),
        maxStalledCount: 2,
        removeOnComplete: { count: 1000 },
        removeOnFail: { age: options.resultTtlSeconds, count: 10_000 },
      }),
  );
}
