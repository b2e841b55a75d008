import type { WorkerRegistry } from '@infer/job-store';
import type { RedisClient } from '@infer/redis';
import { operationRoutes } from '../http/operation.ts';
import { HEALTH_OPERATIONS } from './health.operations.ts';

export interface HealthRouteDeps {
  redis: RedisClient;
  workers: WorkerRegistry;
  heartbeatTtlMs: number;
}

export const healthRoutes = operationRoutes(HEALTH_OPERATIONS, (deps: HealthRouteDeps) => ({
  // Liveness: the process answers.
  liveness: (_input, _req, res) => {
    res.json({ status: 'ok' });
  },

  // Readiness: RedisClient reachable and at least one worker alive with its models loaded.
  readiness: async (_input, _req, res) => {
    const checks = { redis: false, workers: 0 };
    try {
      checks.redis = (await deps.redis.ping()) === 'PONG';
      checks.workers = (await deps.workers.alive(deps.heartbeatTtlMs)).length;
    } catch {
      // reported through the checks below
    }
    const ready = checks.redis && checks.workers > 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  },
}));
