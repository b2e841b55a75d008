import type { Deadlines } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { runPeriodically } from '@infer/runtime';
import type { JobsService } from '../jobs/jobs.service.ts';

/**
 * Cancel-After without any worker running: the API keeps a sorted set of
 * deadlines and, every `intervalMs`, cancels (deadline_exceeded) the jobs still
 * queued past theirs, so clients and webhooks see the state flip on time. Any
 * number of API replicas may sweep at once: the queued -> canceled transition is
 * atomic, a job is canceled once. Reads (GET) and the worker check deadlines too.
 */
export class DeadlineSweeper {
  private loop: { stop: () => Promise<void> } | undefined;

  private readonly deadlines: Deadlines;
  private readonly jobs: JobsService;
  private readonly logger: Logger;
  private readonly intervalMs: number;

  constructor(deadlines: Deadlines, jobs: JobsService, logger: Logger, intervalMs = 500) {
    this.deadlines = deadlines;
    this.jobs = jobs;
    this.logger = logger;
    this.intervalMs = intervalMs;
  }

  start(): this {
    this.loop = runPeriodically(
      () => this.sweep(),
      this.intervalMs,
      (error) => this.logger.warn({ err: error }, 'deadline sweep failed'),
    );
    return this;
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** Expire every job whose deadline has passed; returns how many were still queued. */
  async sweep(now = Date.now()): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.deadlines.due(now, 100);
      if (due.length === 0) return expired;
      for (const id of due) {
        // expireIfDue drops every due id from the index, expired or not: the loop ends.
        if (await this.jobs.expireIfDue(id)) {
          expired++;
          this.logger.info({ jobId: id }, 'job still queued at its Cancel-After deadline; canceled');
        }
      }
    }
  }
}
