import { WEBHOOK_EVENTS } from '@infer/contracts';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Outcomes of a finished delivery series (webhook_deliveries_total). */
const DELIVERY_OUTCOMES = ['delivered', 'failed'] as const;

/** Prometheus metrics of one dispatcher process, served on DISPATCHER_PORT /metrics. */
export function createDispatcherMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Finished delivery series by event type and outcome (delivered, failed = dead-lettered)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  // Every series exists from the start at 0: increase() cannot see a counter's first
  // increment when the series appears with it, and the dead-letter alert must see the first.
  for (const type of WEBHOOK_EVENTS) for (const outcome of DELIVERY_OUTCOMES) deliveries.inc({ type, outcome }, 0);
  return {
    registry,
    relayed: new Counter({
      name: 'webhook_events_relayed_total',
      help: 'Events moved from the outbox stream into the delivery queue, by event type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'webhook_attempts_total',
      help: 'Delivery attempts by outcome (success, http_error, timeout, connection_error, refused)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    deliveries,
    attemptSeconds: new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Duration of one delivery attempt, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    latencySeconds: new Histogram({
      name: 'webhook_delivery_latency_seconds',
      help: 'From the event to its successful delivery (retries included)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36_000, 86_400],
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: 'webhook_queue_jobs',
      help: 'Deliveries in the webhooks queue by state (delayed = waiting for a retry)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    outboxLength: new Gauge({
      name: 'webhook_outbox_length',
      help: 'Events in the outbox stream not yet relayed',
      registers: [registry],
    }),
  };
}
export type DispatcherMetrics = ReturnType<typeof createDispatcherMetrics>;
