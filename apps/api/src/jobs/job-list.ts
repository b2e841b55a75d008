import { AppError, JOB_STATUSES, type JobStatus } from '@infer/contracts';
import type { ListCursor, ListQuery } from '@infer/job-store';
import { z } from 'zod';

export const MAX_LIST_LIMIT = 100;

/** The cursor clients pass back: opaque (base64url JSON), so its shape may change. */
export const encodeCursor = (cursor: ListCursor): string =>
  Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');

function decodeCursor(text: string): ListCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string' && id.length <= 64) return { at, id };
  } catch {
    // reported below
  }
  throw invalid('cursor', 'is not a cursor this API returned');
}

const invalid = (field: string, message: string) =>
  new AppError('invalid_request', `${field}: ${message}`, { details: { field } });

const isoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'an ISO 8601 time, e.g. 2026-12-01T18:00:00Z')
  .meta({ format: 'date-time' });

/** The query of `GET /v1/jobs` and `GET /v1/predictions` (validated by operation.ts, documented from it). */
export const listQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .describe(`page size, 1 to ${MAX_LIST_LIMIT} (default LIST_PAGE_SIZE)`)
    .optional(),
  cursor: z.string().max(256).describe('the `next_cursor` of the previous page (opaque)').optional(),
  status: z
    .string()
    .refine(
      (text) => text.split(',').every((part) => (JOB_STATUSES as readonly string[]).includes(part.trim())),
      `one or more (comma-separated) of ${JOB_STATUSES.join(', ')}`,
    )
    .describe(`one or more, comma-separated: ${JOB_STATUSES.join(', ')}`)
    .optional(),
  model: z.string().max(64).optional(),
  created_after: isoTime.describe('only jobs created after this time').optional(),
  created_before: isoTime.describe('only jobs created before this time').optional(),
});
/** Replicate's listing takes pages only. */
export const pageQuerySchema = listQuerySchema.pick({ limit: true, cursor: true });

/** The validated query as JobStore.list takes it. */
export function listQueryOf(query: z.infer<typeof listQuerySchema>, defaultLimit: number): ListQuery {
  return {
    limit: query.limit ?? defaultLimit,
    cursor: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    status: query.status?.split(',').map((part) => part.trim()) as JobStatus[] | undefined,
    model: query.model,
    createdAfter: query.created_after === undefined ? undefined : Date.parse(query.created_after),
    createdBefore: query.created_before === undefined ? undefined : Date.parse(query.created_before),
  };
}
