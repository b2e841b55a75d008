import { startTracing } from '@infer/telemetry/start';

// Tracing first (when an OTEL_* exporter is configured): its instrumentations patch http,
// express and ioredis as the program loads them, so the program is imported only afterwards.
await startTracing({ serviceName: 'api' });
await import('./program.ts');
