import type { WorkerRegistry } from '@infer/job-store';
import { Router } from 'express';
import type { Redis } from 'ioredis';

export function healthRoute(deps: { redis: Redis; workers: WorkerRegistry; heartbeatTtlMs: number }): Router {
  const router = Router();

  // Liveness: the process answers.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness: Redis reachable and at least one worker alive with its models loaded.
  router.get('/readyz', async (_req, res) => {
    const checks = { redis: false, workers: 0 };
    try {
      checks.redis = (await deps.redis.ping()) === 'PONG';
      checks.workers = (await deps.workers.alive(deps.heartbeatTtlMs)).length;
    } catch {
      // reported through the checks below
    }
    const ready = checks.redis && checks.workers > 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  return router;
}
