import { z } from 'zod';
import { errors, jobIdParams, V1_ERRORS } from '../http/openapi-parts.ts';
import type { Operation } from '../http/operation.ts';

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
