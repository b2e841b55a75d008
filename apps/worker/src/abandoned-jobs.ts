import type { ModelServer } from '@infer/inference';
import type { JobStore } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { inferenceJobDataSchema } from '@infer/queues';
import type { Worker } from 'bullmq';
import { versionLabel, type WorkerMetrics } from './worker-metrics.ts';

/** BullMQ's reasons for failing a job without running the processor. */
const ABANDONED = /more than allowable limit/;

/**
 * A job whose workers died under it more than `maxStalledCount` times (a poison
 * image crashing the decoder, an OOM kill) is failed by BullMQ without calling
 * the processor, so nothing would move its record out of "running": do it here,
 * so that the client sees a failure instead of a job running until it expires.
 */
export function recordAbandonedJobs(
  worker: Worker,
  store: JobStore,
  metrics: WorkerMetrics,
  server: ModelServer,
  logger: Logger,
): void {
  worker.on('failed', (job, error) => {
    if (!job || !ABANDONED.test(error.message)) return;
    const parsed = inferenceJobDataSchema.safeParse(job.data);
    if (!parsed.success) return;
    const { jobId, model } = parsed.data;
    store
      .apply('abandon', jobId, {
        completed_at: new Date().toISOString(),
        error: {
          code: 'inference_failed',
          message: `the job was interrupted ${job.stalledCounter} times (its workers stopped while running it); not retried again`,
        },
      })
      .then((outcome) => {
        if (!outcome.applied) return;
        const version = versionLabel(server, parsed.data);
        metrics.jobs.inc({ model, version, outcome: 'failed' });
        metrics.failures.inc({ model, version, code: 'inference_failed' });
        logger.error({ jobId, model, reason: error.message }, 'job abandoned after repeated worker failures');
      })
      .catch((failure: unknown) => logger.warn({ err: failure, jobId }, 'could not record an abandoned job'));
  });
}
