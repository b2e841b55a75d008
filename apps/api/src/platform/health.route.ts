import type { WorkerRegistry } from '@infer/job-store';
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { json, ref } from '../http/openapi-parts.ts';
import { addOperation, type Operation } from '../http/operation.ts';

export const HEALTH_OPERATIONS = {
  liveness: {
    method: 'get',
    path: '/healthz',
    operationId: 'liveness',
    tags: ['operations'],
    summary: 'Liveness: the process answers',
    open: true,
    responses: { '200': { description: 'alive', content: json(ref('Health')) } },
  },
  readiness: {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    tags: ['operations'],
    summary: 'Readiness: Redis answers and at least one worker heartbeat is recent',
    open: true,
    responses: {
      '200': { description: 'ready', content: json(ref('Readiness')) },
      '503': { description: 'not ready', content: json(ref('Readiness')) },
    },
  },
} satisfies Record<string, Operation>;

export function healthRoute(deps: { redis: Redis; workers: WorkerRegistry; heartbeatTtlMs: number }): Router {
  const router = Router();

  // Liveness: the process answers.
  addOperation(router, HEALTH_OPERATIONS.liveness, (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness: Redis reachable and at least one worker alive with its models loaded.
  addOperation(router, HEALTH_OPERATIONS.readiness, async (_req, res) => {
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
