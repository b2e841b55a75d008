import { isTerminal, type JobView } from '@infer/contracts';
import { type Request, Router } from 'express';
import { z } from 'zod';
import { errors, jobIdParams, V1_ERRORS } from '../http/openapi-parts.ts';
import { addOperation, type Operation } from '../http/operation.ts';
import type { JobEvents } from './job-events.ts';

export interface EventsRouteOptions {
  /** Read a job as the requesting principal may see it (throws job_not_found otherwise). */
  read: (id: string, req: Request) => Promise<JobView>;
  /** Comment line sent this often so that proxies do not cut an idle stream. */
  heartbeatMs?: number;
}

/**
 * `GET /v1/jobs/:id/events`: Server-Sent Events, one `event: status` per state
 * change (the full job view as data), the current state first, closed after the
 * terminal one. Each event's `id` is the status: a browser EventSource that
 * reconnects after the end (it does so by itself) sends `Last-Event-ID` and is
 * answered 204, which per the SSE spec stops it for good.
 */
export const EVENTS_OPERATIONS = {
  streamJobEvents: {
    method: 'get',
    path: '/v1/jobs/{id}/events',
    operationId: 'streamJobEvents',
    tags: ['jobs'],
    summary: 'Stream the state changes of a job (Server-Sent Events)',
    description:
      'One `event: status` per state change, `data` being the job (schema JobView) and `id` its status; the ' +
      'current state comes first and the stream ends after a terminal state. A comment line is sent every 15 s. ' +
      'If the job record disappears mid-stream an `event: error` with an Error body ends it. A reconnect ' +
      'with `Last-Event-ID` equal to the terminal status is answered `204` (which stops EventSource).',
    request: {
      params: jobIdParams,
      headers: z.object({
        'Last-Event-ID': z.string().describe('the last event id seen (a status), when reconnecting').optional(),
      }),
    },
    responses: {
      '200': {
        description: 'event stream; each `data` line is a JobView',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      '204': { description: 'the job already ended and the client saw it (`Last-Event-ID`)' },
      ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
    },
  },
} satisfies Record<string, Operation>;

export function eventsRoute(events: JobEvents, options: EventsRouteOptions): Router {
  const router = Router();
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  addOperation(router, EVENTS_OPERATIONS.streamJobEvents, async (req, res) => {
    const id = String(req.params.id);
    // Errors before the stream starts (404, 503) are ordinary JSON errors.
    const first = await options.read(id, req);
    const lastEventId = req.headers['last-event-id'];
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
  });

  return router;
}

function errorBody(error: unknown): { error: { code: string; message: string } } {
  const err = error as { code?: unknown; message?: unknown; status?: unknown };
  if (typeof err.code === 'string' && typeof err.status === 'number' && typeof err.message === 'string') {
    return { error: { code: err.code, message: err.message } };
  }
  return { error: { code: 'internal_error', message: 'the job could not be read' } };
}
