import type { WorkerHeartbeat } from '@infer/contracts';
import type { WorkerRegistry } from '@infer/job-store';
import type { Logger } from '@infer/logger';

/** Announce this worker every ttl/3 so that a missed beat or two is tolerated. */
export function startHeartbeat(
  registry: WorkerRegistry,
  describe: () => WorkerHeartbeat,
  ttlMs: number,
  logger: Logger,
): { stop: () => Promise<void> } {
  const beat = () =>
    registry.beat({ ...describe(), seen_at: new Date().toISOString() }, ttlMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'heartbeat failed');
    });
  void beat();
  const timer = setInterval(beat, Math.max(500, Math.floor(ttlMs / 3)));
  return {
    stop: async () => {
      clearInterval(timer);
      await registry.leave(describe().id).catch(() => undefined);
    },
  };
}
