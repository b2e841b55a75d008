import { randomUUID } from 'node:crypto';
import { type JobAccepted, JobNotFoundError, type JobView, UnknownModelError } from '@infer/contracts';
import type { JobStore } from '@infer/job-store';
import type { JobQueues } from './job-queues.ts';
import type { ModelCatalog } from './model-catalog.ts';

export interface SubmitRequest {
  image: Uint8Array;
  model: string;
  version?: string | undefined;
  requestId?: string | undefined;
}

/** Submission and lookup of jobs: validate, store the payload once, enqueue, read state. */
export class JobsService {
  constructor(
    private readonly store: JobStore,
    private readonly queues: JobQueues,
    private readonly catalog: ModelCatalog,
    private readonly options: { attempts: number },
  ) {}

  async submit(request: SubmitRequest): Promise<JobAccepted> {
    if (!this.catalog.has(request.model, request.version)) throw new UnknownModelError(request.model, request.version);
    const id = randomUUID();
    const createdAt = new Date();
    await this.store.create(
      { id, model: request.model, version: request.version, requestId: request.requestId, createdAt },
      request.image,
    );
    try {
      await this.queues.enqueue(
        {
          jobId: id,
          model: request.model,
          ...(request.version ? { version: request.version } : {}),
          ...(request.requestId ? { requestId: request.requestId } : {}),
          enqueuedAt: createdAt.getTime(),
        },
        { attempts: this.options.attempts },
      );
    } catch (error) {
      // Never leave a record that no worker will ever pick up.
      await this.store.remove(id).catch(() => undefined);
      throw error;
    }
    return { id, status: 'queued', model: request.model, created_at: createdAt.toISOString() };
  }

  async get(id: string): Promise<JobView> {
    const job = await this.store.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }
}
