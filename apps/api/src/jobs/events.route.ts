import { isTerminal, type JobView } from '@infer/contracts';
import type { Request } from 'express';
import { operationRoutes } from '../http/operation.ts';
import { EVENTS_OPERATIONS } from './events.operations.ts';
import type { JobEvents } from './job-events.ts';

export interface EventsRouteDeps {
  /** The process's job-events subscription. */
  events: JobEvents;
  /** Read a job as the requesting principal may see it (throws job_not_found otherwise). */
  read: (id: string, req: Request) => Promise<JobView>;
  /** Comment line sent this often so that proxies do not cut an idle stream. */
  heartbeatMs?: number;
}

/** `GET /v1/jobs/:id/events` (events.operations.ts says what the stream carries). */
export const eventsRoutes = operationRoutes(EVENTS_OPERATIONS, (options: EventsRouteDeps) => {
  const { events } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  return {
    streamJobEvents: async ({ params, headers }, req, res) => {
      const id = params.id;
      // Errors before the stream starts (404, 503) are ordinary JSON errors.
      const first = await options.read(id, req);
      const lastEventId = headers['Last-Event-ID'];
      if (isTerminal(first.status) && lastEventId === first.status) {
        res.status(204).end();
        return;
      }

      let closed = false;
      let lastSent: string | undefined;
      let reading = Promise.resolve();
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
      const finish = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        events.closingSignal.removeEventListener('abort', finish);
        unwatch();
        if (!res.writableEnded) res.end();
      };
      const send = (job: JobView) => {
        if (closed || job.status === lastSent) return;
        lastSent = job.status;
        res.write(`id: ${job.status}\nevent: status\ndata: ${JSON.stringify(job)}\n\n`);
        if (isTerminal(job.status)) finish();
      };
      // Reads are chained so that events go out in order even when Redis answers out of order.
      const refresh = () => {
        reading = reading.then(async () => {
          if (closed) return;
          try {
            send(await options.read(id, req));
          } catch (error) {
            // The record expired or Redis failed mid-stream: say so in-band, then end.
            const body = errorBody(error);
            if (!closed) res.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
            finish();
          }
        });
      };

      // Subscribe before the read that produces the first event, so no change is missed.
      let unwatch: () => void = () => undefined;
      res.on('close', finish);
      // On shutdown end the stream; EventSource clients reconnect (to another replica) and get the state again.
      events.closingSignal.addEventListener('abort', finish, { once: true });
      unwatch = await events.watch(id, () => refresh());
      if (closed) {
        unwatch();
        return;
      }
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('Connection', 'keep-alive');
      // nginx buffers responses by default; an event stream must not be.
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      res.write('retry: 2000\n\n');
      refresh();
    },
  };
});

function errorBody(error: unknown): { error: { code: string; message: string } } {
  const err = error as { code?: unknown; message?: unknown; status?: unknown };
  if (typeof err.code === 'string' && typeof err.status === 'number' && typeof err.message === 'string') {
    return { error: { code: err.code, message: err.message } };
  }
  return { error: { code: 'internal_error', message: 'the job could not be read' } };
}
