import { PRIORITY_MAX } from '@infer/contracts';
import { type RedisClient, slotOfKey, spreadTag } from '@infer/redis';
import { bullmqTelemetry } from '@infer/telemetry';
import { type JobsOptions, type Processor, Worker } from 'bullmq';
import { z } from 'zod';
import { STALLED_CHECK_MS } from './dead-worker-reclaim.ts';

/**
 * The inference queues: one BullMQ queue per model, so that worker pools (and
 * their GPUs) can be sized and autoscaled per model. Everything the producers
 * (the API's submit and enqueue repair) and the consumer (apps/worker) must
 * agree on is here: queue name, job name, payload, add options, worker options.
 */

/**
 * A model's queue as operators name it: in metrics (`queue` label), logs and KEDA's query,
 * whatever QUEUE_SHARDS splits it into. BullMQ forbids ':' in queue names.
 */
export const inferenceQueueName = (model: string): string => `inference.${model}`;

/**
 * The BullMQ queues a model's queue is split into (QUEUE_SHARDS): each name is a hash tag,
 * `{inference.<model>}` for one shard, `{inference.<model>#<k>...}` for shard k of several,
 * so that each is one Redis Cluster slot (BullMQ keeps one queue in one slot) and the shards
 * of a model fall in equal slot ranges (spreadTag): on a Cluster split in equal ranges, on
 * different primaries. Changing QUEUE_SHARDS changes the names: see docs/deploying.md.
 */
export function inferenceQueueShards(model: string, shards: number): string[] {
  const base = inferenceQueueName(model);
  if (shards <= 1) return [`{${base}}`];
  return Array.from({ length: shards }, (_, shard) => `{${spreadTag(`${base}#${shard}`, shard, shards)}}`);
}

/** How a BullMQ queue of inferenceQueueShards is shown to operators: `inference.<model>`, with `shard k` when split. */
export function inferenceQueueLabel(shardName: string): string {
  const shard = /#(\d+)/.exec(shardName)?.[1];
  return shard === undefined ? inferenceQueueOfShard(shardName) : `${inferenceQueueOfShard(shardName)} shard ${shard}`;
}

/** The model queue a BullMQ queue name of inferenceQueueShards belongs to (`inference.<model>`). */
export const inferenceQueueOfShard = (shardName: string): string => shardName.replace(/^\{([^#}]*)(#[^}]*)?\}$/, '$1');

/**
 * Which of `shards` queues a job goes to: from its id, so that a job enqueued again (the
 * enqueue repair, a retried request) lands in the same queue, where BullMQ finds it by id
 * and adds nothing. A hash of the whole id, not its last digit (that picks the job-store shard).
 */
export const queueShardOf = (jobId: string, shards: number): number => (shards <= 1 ? 0 : slotOfKey(jobId) % shards);

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
  /** The jobs this process runs at once for the model, over all its queue shards. */
  concurrency: number;
  /** QUEUE_SHARDS: one BullMQ worker per shard. */
  shards: number;
  lockDurationMs: number;
  resultTtlSeconds: number;
}

/**
 * The BullMQ workers of one model's queue, one per shard, created paused (autorun: false):
 * started once the model is warm. The model's concurrency is split over them (rounded up).
 */
export function createInferenceWorkers(
  connection: RedisClient,
  model: string,
  processor: Processor,
  options: InferenceWorkerOptions,
): Worker[] {
  const shards = inferenceQueueShards(model, options.shards);
  const concurrency = Math.max(1, Math.ceil(options.concurrency / shards.length));
  return shards.map((name) => createInferenceWorker(connection, name, processor, { ...options, concurrency }));
}

function createInferenceWorker(
  connection: RedisClient,
  queueName: string,
  processor: Processor,
  options: InferenceWorkerOptions,
): Worker {
  return new Worker(queueName, processor, {
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
