import { type Queue, Worker } from 'bullmq';
import { testRedis } from './redis.ts';

/**
 * Real BullMQ workers that each take one job of `queue` and hold it (its lock renewed)
 * until `releaseAll()`: jobs locked under BullMQ's own tokens, for tests of lock handling.
 */
export function holdingWorkers(queue: Queue, prefix: string) {
  const probe = testRedis();
  const workers: Worker[] = [];
  const release: (() => void)[] = [];
  return {
    /** Start one more; resolves once it holds a job. */
    hold: async (): Promise<{ worker: Worker; jobId: string }> => {
      let started: (id: string) => void = () => undefined;
      const took = new Promise<string>((resolve) => {
        started = resolve;
      });
      const worker = new Worker(
        queue.name,
        async (job) => {
          started(job.id as string);
          await new Promise<void>((resolve) => release.push(resolve));
        },
        { connection: testRedis(), prefix, concurrency: 1, lockDuration: 60_000, stalledInterval: 60_000 },
      );
      workers.push(worker);
      return { worker, jobId: await took };
    },
    /** Whether the job's BullMQ lock exists. */
    locked: async (jobId: string): Promise<boolean> => (await probe.exists(queue.toKey(`${jobId}:lock`))) === 1,
    releaseAll: async (): Promise<void> => {
      for (const done of release) done();
      await Promise.all(workers.map((worker) => worker.close(true)));
      probe.disconnect();
    },
  };
}
