import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type Request } from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { ownerOf, requireAuth } from './auth.ts';
import { corsFor } from './cors.ts';
import { eventsRoute } from './events.route.ts';
import { healthRoute } from './health.route.ts';
import { errorHandler, routeNotFound } from './http-errors.ts';
import { jobsRoute } from './jobs.route.ts';
import { metricsRoute } from './metrics.ts';
import { modelsRoute } from './models.route.ts';
import { openApiRoute } from './openapi.route.ts';
import { pagesRoute } from './pages.route.ts';
import { rateLimit } from './rate-limit.ts';
import { replicateRoute } from './replicate.route.ts';
import type { ApiServices } from './services.ts';
import { webhooksRoute } from './webhooks.route.ts';

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
  const { settings, jobs, events, waiter } = services;
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
  app.use(healthRoute({ redis: services.redis, workers: services.workers, heartbeatTtlMs: settings.heartbeatTtlMs }));
  app.use(metricsRoute(services.metrics));
  app.use(openApiRoute());
  app.use(pagesRoute());
  app.use(services.admin.router);
  // Before auth: a preflight carries no credentials.
  if (settings.corsOrigins.length > 0) app.use('/v1', corsFor(settings.corsOrigins));
  app.use('/v1', requireAuth(services.auth));
  if (settings.rateLimitPerMinute) {
    app.use('/v1', rateLimit(services.redis, { limit: settings.rateLimitPerMinute, keys: services.store.keys }));
  }
  const read = (id: string, req: Request) => jobs.get(id, ownerOf(req));
  app.use(eventsRoute(events, { read }));
  app.use(webhooksRoute({ webhooks: services.webhooks, read }));
  app.use(
    jobsRoute(
      jobs,
      {
        ...settings,
        maxCancelAfterSeconds: settings.resultTtlSeconds,
        idempotency: services.idempotency,
        backpressure: services.backpressure,
        images: services.images,
      },
      waiter,
    ),
  );
  app.use(
    replicateRoute({
      jobs,
      store: services.store,
      files: services.files,
      catalog: services.catalog,
      backpressure: services.backpressure,
      images: services.images,
      waiter,
      maxUploadBytes: settings.maxUploadBytes,
      listPageSize: settings.listPageSize,
      webhookSecrets: settings.webhookSecrets,
    }),
  );
  app.use(
    modelsRoute({
      catalog: services.catalog,
      workers: services.workers,
      heartbeatTtlMs: settings.heartbeatTtlMs,
      insight: services.insight,
    }),
  );
  app.use(routeNotFound);
  app.use(errorHandler);
  return app;
}
