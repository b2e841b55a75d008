import { errors } from '../http/openapi-parts.ts';
import type { Operation } from '../http/operation.ts';

/** `GET /metrics`: Prometheus text exposition of the process's metrics registry (metrics.route.ts). */
export const METRICS_OPERATIONS = {
  metrics: {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics (text exposition format)',
    open: true,
    responses: {
      '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      ...errors('internal_error', 'service_unavailable'),
    },
  },
} satisfies Record<string, Operation>;
