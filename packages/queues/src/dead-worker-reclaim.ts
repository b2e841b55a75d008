import type { Logger } from '@infer/logger';
import { runPeriodically } from '@infer/runtime';
import type { Worker } from 'bullmq';

/**
 * How often BullMQ looks for active jobs without a lock (stalled) and requeues them: one
 * cheap script per queue, whichever process runs it first. Every few seconds, so that jobs
 * whose locks were reclaimed below do not wait long.
 */
export const STALLED_CHECK_MS = 5000;

/** Where BullMQ workers are stamped alive and dead ones' locks released (job-store's WorkerRegistry). */
export interface QueueWorkerLiveness {
  stampQueueWorkers: (
    queues: readonly { keyPrefix: string; workerIds: readonly string[] }[],
    deadAfterMs: number,
    leaving?: boolean,
  ) => Promise<void>;
  reclaimDeadLocks: (queue: { activeKey: string; keyPrefix: string }, deadAfterMs: number) => Promise<string[]>;
}

/**
 * Jobs held by a process that died (SIGKILL, OOM kill, a lost node) go back to their
 * queue once it misses its beat, not once their locks expire (a worker's LOCK_DURATION_MS,
 * a minute by default; the dispatcher's 30 s), then a stalled check. Every ttl/3 this
 * process stamps its own BullMQ workers alive and deletes the locks that dead ones still
 * hold on jobs of its queues; BullMQ's stalled check then moves those jobs to wait. With
 * no live process for a queue, the next one to start for it reclaims them.
 *
 * A process judges others only after stamping itself without a gap for `deadAfterMs`
 * (from its start, and again after any gap): when Redis comes back from an outage longer
 * than that, every stamp in it is old, and a live process must have had its turn to stamp
 * before anyone takes its jobs.
 */
export async function startDeadWorkerReclaim(options: {
  registry: QueueWorkerLiveness;
  workers: readonly Worker[];
  /** A BullMQ worker not stamped for this long is dead: WORKER_HEARTBEAT_TTL_MS. */
  deadAfterMs: number;
  logger: Logger;
  onReclaimed?: (queue: string, jobIds: string[]) => void;
}): Promise<{ stop: () => Promise<void> }> {
  const { registry, workers, deadAfterMs, logger } = options;
  // Each BullMQ worker is stamped in its own queue (one slot on a Cluster).
  const stamps = workers.map((worker) => ({ keyPrefix: worker.toKey(''), workerIds: [worker.id] }));
  const intervalMs = Math.max(500, Math.floor(deadAfterMs / 3));
  let stampedAt = 0;
  let unbrokenSince = 0;
  const round = async () => {
    await registry.stampQueueWorkers(stamps, deadAfterMs);
    const now = performance.now();
    // A gap: a Redis outage or a stalled event loop, during which the others could not stamp either.
    if (now - stampedAt > 2 * intervalMs) unbrokenSince = now;
    stampedAt = now;
    if (now - unbrokenSince < deadAfterMs) return;
    for (const worker of workers) {
      const jobIds = await registry.reclaimDeadLocks(
        { activeKey: worker.keys.active as string, keyPrefix: worker.toKey('') },
        deadAfterMs,
      );
      if (jobIds.length === 0) continue;
      options.onReclaimed?.(worker.name, jobIds);
      logger.warn(
        { queue: worker.name, jobIds },
        'reclaimed the jobs of a process that stopped beating; they run again after the next stalled check',
      );
    }
  };
  await round();
  const periodic = runPeriodically(round, intervalMs, (error) =>
    logger.warn({ err: error }, 'could not stamp this process alive or reclaim the jobs of dead ones'),
  );
  return {
    // Stamped dead on leaving: locks a forced drain left behind are reclaimed at once by others.
    stop: async () => {
      await periodic.stop();
      await registry.stampQueueWorkers(stamps, deadAfterMs, true);
    },
  };
}
