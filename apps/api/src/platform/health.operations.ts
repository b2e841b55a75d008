import { json, ref } from '../http/openapi-parts.ts';
import type { Operation } from '../http/operation.ts';

/** Probes (health.route.ts mounts each with its handler). */
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
