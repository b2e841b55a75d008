import { type InferenceJobData, inferenceQueueName, JOB_NAMES, PRIORITY_MAX } from '@infer/contracts';
import type { StoredJob } from '@infer/job-store';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface EnqueueOptions {
  attempts: number;
}

export interface Enqueued {
  data: InferenceJobData;
  /** Client priority 0..100, higher first. */
  priority: number;
}

/**
 * Client priority (0..100, higher first) to BullMQ priority (1 is highest). Every
 * job gets one, even priority 0: BullMQ serves its plain wait list before any
 * prioritized job, so leaving 0 unprioritized would run it before priority 100.
 * Within one priority BullMQ keeps submission order.
 */
export const bullPriority = (priority: number): number => PRIORITY_MAX + 1 - priority;

/** The BullMQ job of a stored job: data rebuilt from what the record keeps (submit and enqueue repair alike). */
export function enqueuedOf(job: Omit<StoredJob, 'status'>): Enqueued {
  return {
    data: {
      jobId: job.id,
      model: job.model,
      ...(job.version ? { version: job.version } : {}),
      ...(job.requestId ? { requestId: job.requestId } : {}),
      ...(job.cancelAt ? { cancelAt: job.cancelAt.getTime() } : {}),
      enqueuedAt: job.createdAt.getTime(),
    },
    priority: job.priority,
  };
}

/** The producer side of the per-model inference queues. */
export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
    models: Iterable<string>,
  ) {
    for (const model of models) this.queues.set(model, this.create(model));
  }

  private create(model: string): Queue {
    return new Queue(inferenceQueueName(model), { connection: this.connection, prefix: this.prefix });
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

  async enqueue(data: InferenceJobData, options: EnqueueOptions & { priority?: number }): Promise<void> {
    await this.enqueueMany([{ data, priority: options.priority ?? 0 }], options);
  }

  /** One addBulk per model (a batch names one model, so usually one round trip). */
  async enqueueMany(jobs: readonly Enqueued[], options: EnqueueOptions): Promise<void> {
    const byModel = new Map<string, Enqueued[]>();
    for (const job of jobs) byModel.set(job.data.model, [...(byModel.get(job.data.model) ?? []), job]);
    await Promise.all(
      [...byModel].map(([model, group]) =>
        this.get(model).addBulk(
          group.map(({ data, priority }) => ({
            name: JOB_NAMES.infer,
            data,
            opts: {
              jobId: data.jobId,
              attempts: options.attempts,
              backoff: { type: 'exponential', delay: 1000 },
              priority: bullPriority(priority),
            },
          })),
        ),
      ),
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
