import { type InferenceJobData, inferenceQueueName, JOB_NAMES } from '@infer/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface EnqueueOptions {
  attempts: number;
  /** BullMQ priority: 1 is highest, larger is lower; undefined is the plain FIFO wait list. */
  priority?: number;
}

/** The producer side of the per-model inference queues. */
export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    models: Iterable<string>,
  ) {
    for (const model of models) this.queues.set(model, this.create(model));
  }

  private create(model: string): Queue {
    return new Queue(inferenceQueueName(model), { connection: this.connection, prefix: this.prefix });
  }

  get(model: string): Queue {
    const queue = this.queues.get(model);
    if (!queue) throw new Error(`no queue for model ${model}`);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  async enqueue(data: InferenceJobData, options: EnqueueOptions): Promise<void> {
    await this.get(data.model).add(JOB_NAMES.infer, data, {
      jobId: data.jobId,
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: 1000 },
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
