import type { JobStore } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { enqueuedOf, type InferenceQueues } from '@infer/queues';
import { runPeriodically } from '@infer/runtime';

export interface EnqueueRepairSettings {
  /** How old an intent must be before it is checked: the API enqueues within milliseconds. */
  graceMs: number;
  intervalMs: number;
  /** BullMQ attempts of a job enqueued here (JOB_ATTEMPTS, as at submit). */
  attempts: number;
  /** Intents checked per round trip. */
  batchSize?: number;
}

/**
 * The relay of the enqueue outbox. Every job record is written with an intent
 * (JobStore.createMany); the API enqueues the job right after. If the process died
 * in between, or the addBulk failed, the record would sit "queued" with no BullMQ
 * job. Every `intervalMs` this looks at intents older than `graceMs`: a job still
 * queued whose BullMQ job does not exist is enqueued (same job id, so a concurrent
 * add by another replica is a no-op), and every intent checked is dropped.
 * Enqueueing twice cannot run a job twice either: a worker only starts a job
 * whose record is still queued (or running after a stall).
 */
export class EnqueueRepair {
  private loop: { stop: () => Promise<void> } | undefined;

  private readonly store: JobStore;
  private readonly queues: InferenceQueues;
  private readonly logger: Logger;
  private readonly settings: EnqueueRepairSettings;

  constructor(store: JobStore, queues: InferenceQueues, logger: Logger, settings: EnqueueRepairSettings) {
    this.store = store;
    this.queues = queues;
    this.logger = logger;
    this.settings = settings;
  }

  start(): this {
    this.loop = runPeriodically(
      () => this.sweep(),
      this.settings.intervalMs,
      (error) => this.logger.warn({ err: error }, 'enqueue repair failed; retrying'),
    );
    return this;
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** Enqueue every stored job that never reached its queue; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    const batchSize = this.settings.batchSize ?? 500;
    let repaired = 0;
    for (;;) {
      const due = await this.store.dueEnqueueIntents(now - this.settings.graceMs, batchSize);
      if (due.length === 0) return repaired;
      // A job of a model this replica does not serve is left to one that does.
      const foreign = new Set(due.filter(({ job }) => job && !this.queues.has(job.model)).map(({ id }) => id));
      const queued = due.flatMap(({ id, job }) => (job?.status === 'queued' && !foreign.has(id) ? [job] : []));
      const present = await this.queues.existing(queued);
      const missing = queued.filter((_job, i) => !present[i]);
      if (missing.length > 0) {
        await this.queues.enqueueMany(missing.map(enqueuedOf), { attempts: this.settings.attempts });
        repaired += missing.length;
        for (const job of missing) {
          this.logger.warn(
            { jobId: job.id, model: job.model, ageMs: now - job.createdAt.getTime() },
            'job was stored but never enqueued (the API stopped in between, or Redis refused the enqueue); enqueued now',
          );
        }
      }
      const settled = due.filter(({ id }) => !foreign.has(id)).map(({ id }) => id);
      await this.store.clearEnqueueIntents(settled);
      if (due.length < batchSize || settled.length === 0) return repaired;
    }
  }
}
