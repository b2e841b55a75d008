import { operationRoutes } from '../http/operation.ts';
import { METRICS_OPERATIONS } from './metrics.operations.ts';
import type { ApiMetrics } from './metrics.ts';

/** `GET /metrics`: open, like the probes (restrict it at the network level if needed). */
export const metricsRoutes = operationRoutes(METRICS_OPERATIONS, (metrics: ApiMetrics) => ({
  metrics: async (_input, _req, res) => {
    const body = await metrics.registry.metrics();
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  },
}));
