import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BullMQOtel } from 'bullmq-otel';
import { tracingActive } from './trace-context.ts';

let telemetry: BullMQOtel | undefined;

/**
 * The `telemetry` option of every BullMQ Queue and Worker: a job's `add` span is stored with
 * the job (opts.telemetry.metadata) and the worker's `process` span is its child, in another
 * process. Undefined while tracing is off, so BullMQ skips its telemetry code entirely.
 *
 * bullmq-otel's context manager has no `root()`, without which BullMQ runs its stalled-job
 * checker and main loop in whatever context started the worker (taskforcesh/bullmq#4731: one
 * trace growing for the worker's whole life). Given one, each of their iterations starts its own.
 */
export function bullmqTelemetry(): BullMQOtel | undefined {
  if (!tracingActive()) return undefined;
  if (!telemetry) {
    telemetry = new BullMQOtel({ tracerName: 'bullmq' });
    Object.assign(telemetry.contextManager, { root: () => ROOT_CONTEXT });
  }
  return telemetry;
}
