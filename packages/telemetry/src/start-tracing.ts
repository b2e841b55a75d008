import type { IncomingMessage } from 'node:http';
import { register } from 'node:module';
import { markTracingStarted } from './trace-context.ts';
import { tracingConfigured } from './tracing-configured.ts';

export interface TracingOptions {
  /** `service.name` when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
  serviceName: string;
}

export interface Tracing {
  readonly active: boolean;
  /** Export the spans still buffered. */
  shutdown(): Promise<void>;
}

/** Probes and scrapes: a trace every few seconds per process that tells nobody anything. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Start the OpenTelemetry SDK, configured by the standard OTEL_* variables only, when an
 * exporter is configured (tracingConfigured); otherwise load nothing at all.
 *
 * Must run before the program's other modules load, for the HTTP, Express and ioredis
 * instrumentations to patch them: each main.ts awaits this, then imports its program. The
 * program's modules are ES modules importing CommonJS packages (express, ioredis), which
 * Node loads without the `require` hook the instrumentations rely on, so import-in-the-middle's
 * loader hook is registered first; it wraps only the modules an instrumentation asked for.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (!tracingConfigured()) return { active: false, shutdown: async () => {} };
  const env = process.env;
  if (!env.OTEL_SERVICE_NAME && !/(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '')) {
    env.OTEL_SERVICE_NAME = options.serviceName;
  }
  // Traces only: metrics are scraped from /metrics, logs go to stdout carrying trace ids.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';

  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [
    { NodeSDK },
    { HttpInstrumentation },
    { ExpressInstrumentation, ExpressLayerType },
    { IORedisInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) =>
          UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
        // A request made outside any trace (a JWKS refresh) is no trace of its own.
        requireParentforOutgoingSpans: true,
      }),
      // Route handlers only: a span per router and middleware passed is noise with no name worth reading.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.ROUTER, ExpressLayerType.MIDDLEWARE] }),
      new IORedisInstrumentation({
        // Only commands made for a traced operation; the background loops' would be noise.
        requireParentSpan: true,
        // The command name only: arguments carry image bytes and results.
        dbStatementSerializer: (command: string) => command,
      }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  markTracingStarted(() => sdk.shutdown());
  return { active: true, shutdown: () => sdk.shutdown() };
}
