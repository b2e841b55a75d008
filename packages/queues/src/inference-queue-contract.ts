import { PRIORITY_MAX } from '@infer/contracts';
import { bullmqTelemetry } from '@infer/telemetry';
import { type JobsOptions, type Processor, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { STALLED_CHECK_MS } from './dead-worker-reclaim.ts';

/**
 * The inference queues: one BullMQ queue per model, so that worker pools (and
 * their GPUs) can be sized and autoscaled per model. Everything the producers
 * (the API's submit and enqueue repair) and the consumer (apps/worker) must
 * agree on is here: queue name, job name, payload, add options, worker options.
 */

/** BullMQ forbids ':' in queue names. */
export const inferenceQueueName = (model: string): string => `inference.${model}`;

export const INFERENCE_JOB_NAME = 'infer';

/**
 * What a BullMQ job carries. Deliberately small: the image bytes are stored once
 * as a binary Redis value next to the job record, never inside job data (JSON
 * would inflate them several times).
 */
export const inferenceJobDataSchema = z.object({
  jobId: z.string().min(1),
  model: z.string().min(1),
  version: z.string().min(1).optional(),
  /** The shadow candidate (routing): the worker also runs the image on it and compares, after answering. */
  shadow: z.string().min(1).optional(),
  requestId: z.string().min(1).optional(),
  enqueuedAt: z.number().int().nonnegative(),
  /** Epoch ms from Cancel-After: a worker must not start the job after it. */
  cancelAt: z.number().int().nonnegative().optional(),
});
export type InferenceJobData = z.infer<typeof inferenceJobDataSchema>;

/**
 * Client priority (0..100, higher first) to BullMQ priority (1 is highest). Every
 * job gets one, even priority 0: BullMQ serves its plain wait list before any
 * prioritized job, so leaving 0 unprioritized would run it before priority 100.
 * Within one priority BullMQ keeps submission order.
 */
export const bullPriority = (priority: number): number => PRIORITY_MAX + 1 - priority;

/** Retries back off 1 s, 2 s, 4 s... (a worker crash or a transient model error). */
const RETRY_BACKOFF = { type: 'exponential', delay: 1000 } as const;

/** Add options of an inference job: its BullMQ id is the job id, so a repeated enqueue adds nothing. */
export function inferenceJobOptions(job: { jobId: string; attempts: number; priority?: number }): JobsOptions {
  return {
    jobId: job.jobId,
    attempts: job.attempts,
    backoff: RETRY_BACKOFF,
    priority: bullPriority(job.priority ?? 0),
  };
}

export interface InferenceWorkerOptions {
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  resultTtlSeconds: number;
}

/** The BullMQ worker of one model's queue, created paused (autorun: false): started once the model is warm. */
export function createInferenceWorker(
  connection: Redis,
  model: string,
  processor: Processor,
  options: InferenceWorkerOptions,
): Worker {
  return new Worker(inferenceQueueName(model), processor, {
    connection,
    prefix: options.prefix,
    autorun: false,
    concurrency: options.concurrency,
    // Inference runs in a worker thread, so lock renewal is not starved; the
    // duration still covers a long batch if the event loop is briefly busy.
    lockDuration: options.lockDurationMs,
    // Every few seconds (one cheap script per queue, whichever worker runs it first): a
    // dead process's jobs, their locks reclaimed (dead-worker-reclaim.ts), are requeued soon.
    stalledInterval: Math.min(STALLED_CHECK_MS, options.lockDurationMs),
    maxStalledCount: 2,
    removeOnComplete: { count: 1000 },
    removeOnFail: { age: options.resultTtlSeconds, count: 10_000 },
    // Tracing on: each job's `process` span continues the trace of its submission.
    telemetry: bullmqTelemetry(),
  });
}
