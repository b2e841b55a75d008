import type { RedisClient } from '@infer/redis';
import { bullmqTelemetry, withTraceparent } from '@infer/telemetry';
import { Queue } from 'bullmq';
import {
  INFERENCE_JOB_NAME,
  type InferenceJobData,
  inferenceJobOptions,
  inferenceQueueShards,
  queueShardOf,
} from './inference-queue-contract.ts';

export interface Enqueued {
  data: InferenceJobData;
  /** Client priority 0..100, higher first. */
  priority: number;
  /** The job's trace (W3C traceparent), when tracing is on: its worker span continues it. */
  traceparent?: string | undefined;
}

/** What a stored job record says about its BullMQ job (submit and enqueue repair rebuild it alike). */
export interface EnqueuableJob {
  id: string;
  model: string;
  version?: string;
  shadow?: string;
  requestId?: string;
  cancelAt?: Date;
  createdAt: Date;
  priority: number;
  traceparent?: string | undefined;
}

/** The BullMQ job of a stored job: data rebuilt from what the record keeps. */
export function enqueuedOf(job: EnqueuableJob): Enqueued {
  return {
    data: {
      jobId: job.id,
      model: job.model,
      ...(job.version ? { version: job.version } : {}),
      ...(job.shadow ? { shadow: job.shadow } : {}),
      ...(job.requestId ? { requestId: job.requestId } : {}),
      ...(job.cancelAt ? { cancelAt: job.cancelAt.getTime() } : {}),
      enqueuedAt: job.createdAt.getTime(),
    },
    priority: job.priority,
    traceparent: job.traceparent,
  };
}

/** A job's priority band in BullMQ's prioritized set: score = priority * 2^32 + a counter of the queue. */
const PRIORITY_BAND = 0x100000000;

/**
 * The producer side of the per-model inference queues, and what can be read of them. A
 * model's queue may be split into QUEUE_SHARDS BullMQ queues (inferenceQueueShards): a job
 * goes to the shard its id names (queueShardOf), and what is read of the model's queue
 * (depth, a job's place in line) is summed over its shards.
 */
export class InferenceQueues {
  private readonly queues = new Map<string, Queue[]>();

  private readonly connection: RedisClient;
  readonly prefix: string;
  readonly shards: number;

  constructor(connection: RedisClient, prefix: string, models: Iterable<string>, shards = 1) {
    this.connection = connection;
    this.prefix = prefix;
    this.shards = shards;
    for (const model of models) {
      this.queues.set(
        model,
        inferenceQueueShards(model, shards).map(
          (name) => new Queue(name, { connection, prefix, telemetry: bullmqTelemetry() }),
        ),
      );
    }
  }

  has(model: string): boolean {
    return this.queues.has(model);
  }

  /** The model's BullMQ queues, one per shard. */
  shardsOf(model: string): Queue[] {
    const queues = this.queues.get(model);
    if (!queues) throw new Error(`no queue for model ${model}`);
    return queues;
  }

  /** The BullMQ queue that holds (or will hold) job `id` of `model`. */
  get(model: string, id: string): Queue {
    const queues = this.shardsOf(model);
    return queues[queueShardOf(id, queues.length)] as Queue;
  }

  all(): Queue[] {
    return [...this.queues.values()].flat();
  }

  /**
   * One addBulk per queue shard (a batch names one model, so one round trip per shard); a
   * single job by add, one script call, where addBulk builds an ioredis pipeline (which costs
   * about 66 µs on a connection with BullMQ's scripts defined).
   */
  async enqueueMany(jobs: readonly Enqueued[], options: { attempts: number }): Promise<void> {
    const byQueue = new Map<Queue, Enqueued[]>();
    for (const job of jobs) {
      const queue = this.get(job.data.model, job.data.jobId);
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), job]);
    }
    await Promise.all(
      [...byQueue].map(async ([queue, group]) => {
        const bulk = group.map(({ data, priority, traceparent }) => ({
          name: INFERENCE_JOB_NAME,
          data,
          opts: {
            ...inferenceJobOptions({ jobId: data.jobId, attempts: options.attempts, priority }),
            // Each job of a bulk in its own trace (BullMQ takes a job's own metadata over the addBulk span's).
            ...(traceparent ? { telemetry: { metadata: JSON.stringify({ traceparent }) } } : {}),
          },
        }));
        const [one] = bulk;
        // A single job's `add` span joins its trace (the request's, or the stored one on repair).
        if (one && bulk.length === 1)
          await withTraceparent(group[0]?.traceparent, () => queue.add(one.name, one.data, one.opts));
        else await queue.addBulk(bulk);
      }),
    );
  }

  /** Jobs not yet picked by a worker, over all the model's shards: what backpressure limits. */
  async depth(model: string): Promise<number> {
    const counts = await Promise.all(
      this.shardsOf(model).map((queue) => queue.getJobCounts('waiting', 'prioritized', 'delayed')),
    );
    return counts.reduce(
      (sum, shard) => sum + (shard.waiting ?? 0) + (shard.prioritized ?? 0) + (shard.delayed ?? 0),
      0,
    );
  }

  /**
   * 1-based place in line, or null when the job is in no line (picked, or delayed for a
   * retry). In its own shard it is exact: the plain wait list runs first, then the
   * prioritized set in order. Workers take from every shard side by side, so the jobs ahead
   * of it in each other shard are summed in: that shard's wait list, its jobs of a higher
   * priority, and of its own priority as many as are ahead of it in its own shard (shards
   * fill at the same rate: a job's id picks its shard at random), at most all of them.
   */
  async position(model: string, id: string): Promise<number | null> {
    const own = this.get(model, id);
    const redis = this.connection;
    const replies = (await redis.multi().llen(own.toKey('wait')).zscore(own.toKey('prioritized'), id).exec()) ?? [];
    const [waiting, score] = replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [number, string | null];
    if (score === null || score === undefined) return null;
    const band = Math.floor(Number(score) / PRIORITY_BAND) * PRIORITY_BAND;
    const [aheadInOwn, sameInOwn] = await Promise.all([
      redis.zcount(own.toKey('prioritized'), '-inf', `(${score}`),
      redis.zcount(own.toKey('prioritized'), band, `(${score}`),
    ]);
    let ahead = waiting + aheadInOwn;
    const others = this.shardsOf(model).filter((queue) => queue !== own);
    const counts = await Promise.all(
      others.map(async (queue) => {
        const [wait, higher, same] = await Promise.all([
          redis.llen(queue.toKey('wait')),
          redis.zcount(queue.toKey('prioritized'), '-inf', `(${band}`),
          redis.zcount(queue.toKey('prioritized'), band, `(${band + PRIORITY_BAND}`),
        ]);
        return wait + higher + Math.min(same, sameInOwn);
      }),
    );
    for (const count of counts) ahead += count;
    return ahead + 1;
  }

  /** Which of these jobs BullMQ holds in any state (one round trip per queue shard). */
  async existing(jobs: readonly { id: string; model: string }[]): Promise<boolean[]> {
    if (jobs.length === 0) return [];
    const found: boolean[] = new Array(jobs.length).fill(false);
    const byQueue = new Map<Queue, number[]>();
    for (const [i, { id, model }] of jobs.entries()) {
      const queue = this.get(model, id);
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), i]);
    }
    await Promise.all(
      [...byQueue].map(async ([queue, positions]) => {
        // One queue is one slot: a pipeline of its keys goes to one node.
        const pipeline = this.connection.pipeline();
        for (const i of positions) pipeline.exists(queue.toKey((jobs[i] as { id: string }).id));
        const replies = (await pipeline.exec()) ?? [];
        for (const [n, i] of positions.entries()) {
          const [error, count] = replies[n] ?? [null, 0];
          if (error) throw error;
          found[i] = count === 1;
        }
      }),
    );
    return found;
  }

  /** Remove a job that no worker holds; a locked one stays (the worker skips it as canceled). */
  async remove(model: string, id: string): Promise<void> {
    await this.get(model, id).remove(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
