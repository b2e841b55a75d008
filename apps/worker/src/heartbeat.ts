import type { workerHeartbeatSchema } from '@infer/contracts';
import type { WorkerRegistry } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import type { z } from 'zod';

/** Announce this worker every ttl/3 so that a missed beat or two is tolerated. */
export function startHeartbeat(
  registry: WorkerRegistry,
  describe: () => z.input<typeof workerHeartbeatSchema>,
  ttlMs: number,
  logger: Logger,
): { stop: () => Promise<void>; beatNow: () => void } {
  const beat = () =>
    registry.beat({ ...describe(), seen_at: new Date().toISOString() }, ttlMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'heartbeat failed');
    });
  void beat();
  const timer = setInterval(beat, Math.max(500, Math.floor(ttlMs / 3)));
  return {
    // At a change of state: the API should not wait a third of the TTL to learn it.
    beatNow: () => void beat(),
    stop: async () => {
      clearInterval(timer);
      await registry.leave(describe().id).catch(() => undefined);
    },
  };
}
