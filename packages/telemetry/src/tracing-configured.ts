/**
 * Whether this process exports traces, from the standard OpenTelemetry variables only: an
 * exporter must be named (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * or OTEL_TRACES_EXPORTER other than `none`), and OTEL_SDK_DISABLED must not be `true`.
 * The SDK's own default (OTLP to localhost:4318) would post spans nowhere on every machine
 * without a collector: with no exporter set, tracing stays off and the SDK is never loaded.
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (exporters.length > 0) return !exporters.every((name) => name === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}
