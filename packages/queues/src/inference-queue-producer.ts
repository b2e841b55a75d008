import { bullmqTelemetry, withTraceparent } from '@infer/telemetry';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  INFERENCE_JOB_NAME,
  type InferenceJobData,
  inferenceJobOptions,
  inferenceQueueName,
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

/** The producer side of the per-model inference queues, and what can be read of them. */
export class InferenceQueues {
  private readonly queues = new Map<string, Queue>();

  private readonly connection: Redis;
  readonly prefix: string;

  constructor(connection: Redis, prefix: string, models: Iterable<string>) {
    this.connection = connection;
    this.prefix = prefix;
    for (const model of models) {
      this.queues.set(
        model,
        new Queue(inferenceQueueName(model), { connection, prefix, telemetry: bullmqTelemetry() }),
      );
    }
  }

  has(model: string): boolean {
    return this.queues.has(model);
  }

  get(model: string): Queue {
    const queue = this.queues.get(model);
    if (!queue) throw new Error(`no queue for model ${model}`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  /**
   * One addBulk per model (a batch names one model, so usually one round trip); a single
   * job by add, one script call, where addBulk builds an ioredis pipeline (which costs
   * about 66 µs on a connection with BullMQ's scripts defined).
   */
  async enqueueMany(jobs: readonly Enqueued[], options: { attempts: number }): Promise<void> {
    const byModel = new Map<string, Enqueued[]>();
    for (const job of jobs) byModel.set(job.data.model, [...(byModel.get(job.data.model) ?? []), job]);
    await Promise.all(
      [...byModel].map(async ([model, group]) => {
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
          await withTraceparent(group[0]?.traceparent, () => this.get(model).add(one.name, one.data, one.opts));
        else await this.get(model).addBulk(bulk);
      }),
    );
  }

  /** Jobs not yet picked by a worker: what backpressure limits. */
  async depth(model: string): Promise<number> {
    const counts = await this.get(model).getJobCounts('waiting', 'prioritized', 'delayed');
    return (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
  }

  /**
   * 1-based place in line: the plain wait list runs first, then the prioritized
   * sorted set in order. Null when the job is in neither (picked, or delayed for a retry).
   */
  async position(model: string, id: string): Promise<number | null> {
    const queue = this.get(model);
    const [waiting, rank] = (await this.connection
      .multi()
      .llen(queue.toKey('wait'))
      .zrank(queue.toKey('prioritized'), id)
      .exec()) as [[Error | null, number], [Error | null, number | null]];
    if (rank[1] === null || rank[1] === undefined) return null;
    return waiting[1] + rank[1] + 1;
  }

  /** Which of these jobs BullMQ holds in any state (one round trip). */
  async existing(jobs: readonly { id: string; model: string }[]): Promise<boolean[]> {
    if (jobs.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const { id, model } of jobs) pipeline.exists(this.get(model).toKey(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, count]) => {
      if (error) throw error;
      return count === 1;
    });
  }

  /** Remove a job that no worker holds; a locked one stays (the worker skips it as canceled). */
  async remove(model: string, id: string): Promise<void> {
    await this.get(model).remove(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
