import { createServer, type Server } from 'node:http';
import type { Logger } from '@infer/logger';
import type { OpenMetricsContentType, Registry, RegistryContentType } from 'prom-client';
import { withTimeout } from './shutdown.ts';

export interface ProbeState {
  /** What "ready" means is the process's own (models warm, relay running, ...). */
  ready: () => boolean;
  /** Refresh gauges that are read from Redis, right before a scrape. */
  beforeScrape?: () => Promise<void>;
}

/**
 * Whether a scraper's Accept header asks for OpenMetrics (Prometheus sends
 * `application/openmetrics-text;version=1.0.0;q=0.5,...,text/plain;version=0.0.4;q=0.4,...`
 * unless told to scrape the text format only); KEDA, curl and promtool get the text format.
 */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  return accept?.toLowerCase().includes('application/openmetrics-text') ?? false;
}

/**
 * Kubernetes probes and the Prometheus scrape endpoint of a background process
 * (worker, webhook dispatcher): GET /healthz, /readyz, /metrics on its own port. With an
 * `openMetrics` registry (the same metrics, with exemplars), /metrics serves it to a scraper
 * whose Accept asks for OpenMetrics, and `registry`'s Prometheus text format to any other.
 */
export function createProbeServer(
  state: ProbeState,
  registry: Registry,
  scrapeTimeoutMs = 1000,
  openMetrics?: Registry<OpenMetricsContentType>,
): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const ready = state.ready();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'not_ready' }));
    } else if (path === '/metrics') {
      const served: Registry<RegistryContentType> =
        openMetrics && acceptsOpenMetrics(req.headers.accept) ? openMetrics : registry;
      // A scrape while Redis is down still answers the in-process metrics: commands on a
      // connection that retries forever neither resolve nor fail then, so do not wait for them.
      withTimeout(state.beforeScrape?.() ?? Promise.resolve(), scrapeTimeoutMs, () => new Error('scrape refresh'))
        .catch(() => undefined)
        .then(() => served.metrics())
        .then(
          (body) => res.writeHead(200, { 'content-type': served.contentType }).end(body),
          () => res.writeHead(500).end(),
        );
    } else {
      res.writeHead(404).end();
    }
  });
}

/**
 * Listen for probes, or stop the process with one fatal line: without its probes
 * an orchestrator would restart it forever (e.g. the port is already taken).
 */
export function listenProbes(server: Server, port: number, logger: Logger, setting: string): void {
  server.on('error', (error) => {
    logger.fatal({ err: error, port }, `cannot serve probes on ${setting}`);
    process.exit(1);
  });
  server.listen(port, () => logger.info({ port }, 'probes listening'));
}
