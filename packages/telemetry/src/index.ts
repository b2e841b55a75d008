export { bullmqTelemetry } from './bullmq-telemetry.ts';
export {
  contextOf,
  FLUSH_TRACES_STEP,
  flushTraces,
  inSpan,
  outsideTraces,
  recordSpan,
  sampledSpanIds,
  startJobTrace,
  traceIdOf,
  traceparentOf,
  tracingActive,
  withoutTracing,
  withTraceparent,
} from './trace-context.ts';
export { tracingConfigured } from './tracing-configured.ts';
