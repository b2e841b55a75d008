import { randomUUID } from 'node:crypto';
import type { JobStore, WorkerRegistry } from '@infer/job-store';
import type { Logger } from '@infer/logger';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import { healthRoute } from './health.route.ts';
import { errorHandler, routeNotFound } from './http-errors.ts';
import type { JobQueues } from './job-queues.ts';
import { jobsRoute } from './jobs.route.ts';
import { JobsService } from './jobs.service.ts';
import type { ModelCatalog } from './model-catalog.ts';

export interface AppDeps {
  redis: Redis;
  store: JobStore;
  queues: JobQueues;
  workers: WorkerRegistry;
  catalog: ModelCatalog;
  logger: Logger;
  settings: {
    maxUploadBytes: number;
    defaultModel: string;
    jobAttempts: number;
    heartbeatTtlMs: number;
  };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The HTTP API, without listening: tests build it in-process. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    pinoHttp({
      logger: deps.logger,
      // The request id travels into job data and every log line of that job.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  const jobs = new JobsService(deps.store, deps.queues, deps.catalog, { attempts: deps.settings.jobAttempts });
  app.use(healthRoute({ redis: deps.redis, workers: deps.workers, heartbeatTtlMs: deps.settings.heartbeatTtlMs }));
  app.use(jobsRoute(jobs, deps.settings));
  app.use(routeNotFound);
  app.use(errorHandler);
  return app;
}
