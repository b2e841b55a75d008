import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type Request } from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { errorHandler, routeNotFound } from './http/http-errors.ts';
import { openApiRoutes } from './http/openapi.route.ts';
import { openApiDocumentOf } from './http/openapi.ts';
import type { Json } from './http/openapi-parts.ts';
import type { Operation, OperationRoutes } from './http/operation.ts';
import { eventsRoutes } from './jobs/events.route.ts';
import { jobsRoutes } from './jobs/jobs.route.ts';
import { modelsRoutes } from './models/models.route.ts';
import { ownerOf, requireAuth } from './platform/auth.ts';
import { corsFor } from './platform/cors.ts';
import { healthRoutes } from './platform/health.route.ts';
import { metricsRoutes } from './platform/metrics.route.ts';
import { pagesRoute } from './platform/pages.route.ts';
import { rateLimit } from './platform/rate-limit.ts';
import { replicateRoutes } from './replicate/replicate.route.ts';
import type { ApiServices } from './services.ts';
import { webhooksRoutes } from './webhooks/webhooks.route.ts';

/** A feature's routes as createApp mounts them: its operations, its router over the services. */
interface Mounted {
  operations: readonly Operation[];
  router: (services: ApiServices) => express.Router;
}

/** `routes`, given the part of the services they take. */
function mounted<Deps>(routes: OperationRoutes<Deps>, depsOf: (services: ApiServices) => Deps): Mounted {
  return { operations: routes.operations, router: (services) => routes.router(depsOf(services)) };
}

const readAsOwner = (services: ApiServices) => (id: string, req: Request) => services.jobs.get(id, ownerOf(req));

/** Open routes, mounted before auth: orchestrators and scrapers carry no credentials. */
const OPEN_ROUTES: Mounted[] = [
  mounted(healthRoutes, (s) => ({ redis: s.redis, workers: s.workers, heartbeatTtlMs: s.settings.heartbeatTtlMs })),
  mounted(metricsRoutes, (s) => s.metrics),
  mounted(openApiRoutes, () => ({ document: openApiDocument })),
];

/** The /v1 routes, mounted behind CORS, auth and the rate limit. */
const V1_ROUTES: Mounted[] = [
  mounted(jobsRoutes, (s) => ({
    ...s.settings,
    jobs: s.jobs,
    waiter: s.waiter,
    catalog: s.catalog,
    maxCancelAfterSeconds: s.settings.resultTtlSeconds,
    idempotency: s.idempotency,
    backpressure: s.backpressure,
    images: s.images,
  })),
  mounted(eventsRoutes, (s) => ({ events: s.events, read: readAsOwner(s) })),
  mounted(webhooksRoutes, (s) => ({ webhooks: s.webhooks, read: readAsOwner(s) })),
  mounted(modelsRoutes, (s) => ({
    catalog: s.catalog,
    workers: s.workers,
    heartbeatTtlMs: s.settings.heartbeatTtlMs,
    insight: s.insight,
    routing: s.routing,
    shadowStats: s.shadowStats,
    auth: s.auth,
  })),
  mounted(replicateRoutes, (s) => ({
    jobs: s.jobs,
    store: s.store,
    files: s.files,
    catalog: s.catalog,
    backpressure: s.backpressure,
    images: s.images,
    waiter: s.waiter,
    maxUploadBytes: s.settings.maxUploadBytes,
    listPageSize: s.settings.listPageSize,
    webhookSecrets: s.settings.webhookSecrets,
  })),
];

let document: Json | undefined;

/**
 * The OpenAPI document of the app createApp builds: exactly the operations it mounts
 * (the /v1 ones first), so that mounting a route is what documents it.
 */
export function openApiDocument(): Json {
  document ??= openApiDocumentOf([...V1_ROUTES, ...OPEN_ROUTES].flatMap((routes) => routes.operations));
  return document;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request as the access log shows it. */
function requestLine(req: IncomingMessage & { id?: unknown }) {
  return {
    id: req.id,
    method: req.method,
    url: req.url,
    remoteAddress: req.socket?.remoteAddress,
    userAgent: req.headers['user-agent'],
  };
}

/** The response as the access log shows it. */
function responseLine(res: ServerResponse) {
  return { statusCode: res.statusCode, contentLength: res.getHeader('content-length') };
}

/** The HTTP API over the services, without listening (main.ts listens; tests build it in-process). */
export function createApp(services: ApiServices): Express {
  const { settings } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxy);
  app.use(
    pinoHttp({
      logger: services.logger,
      // The request id travels into job data and every log line of that job.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      // A lean access line: the request and how it ended. pino-http's defaults serialize every
      // header of every request (and redact them) when the request's logger is made, about a
      // tenth of the API's CPU per small submission, for headers nobody reads in an access log.
      wrapSerializers: false,
      serializers: { req: requestLine, res: responseLine, err: pino.stdSerializers.err },
    }),
  );
  app.use(services.metrics.middleware);

  // Probes, metrics, the API description and the pages stay open: orchestrators and scrapers carry no
  // credentials (restrict /metrics at the network level if needed).
  for (const routes of OPEN_ROUTES) app.use(routes.router(services));
  app.use(pagesRoute());
  app.use(services.admin.router);
  // Before auth: a preflight carries no credentials.
  if (settings.corsOrigins.length > 0) app.use('/v1', corsFor(settings.corsOrigins));
  app.use('/v1', requireAuth(services.auth));
  if (settings.rateLimitPerMinute) {
    app.use('/v1', rateLimit(services.redis, { limit: settings.rateLimitPerMinute, keys: services.store.keys }));
  }
  for (const routes of V1_ROUTES) app.use(routes.router(services));
  app.use(routeNotFound);
  app.use(errorHandler);
  return app;
}
