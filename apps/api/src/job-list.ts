import { AppError, JOB_STATUSES, type JobStatus } from '@infer/contracts';
import type { ListCursor, ListQuery } from '@infer/job-store';

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

const KNOWN = ['limit', 'cursor', 'status', 'model', 'created_after', 'created_before'];

/** `GET /v1/jobs?limit&cursor&status&model&created_after&created_before`, validated. */
export function listQueryOf(query: Record<string, unknown>, defaultLimit: number): ListQuery {
  for (const name of Object.keys(query)) if (!KNOWN.includes(name)) throw invalid(name, 'unknown query parameter');
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalid(name, 'give it once');
    return value;
  };
  const limitText = single('limit');
  const limit = limitText === undefined ? defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw invalid('limit', `a whole number from 1 to ${MAX_LIST_LIMIT}`);
  }
  const statusText = single('status');
  const status = statusText?.split(',').map((part) => part.trim());
  if (status?.some((value) => !(JOB_STATUSES as readonly string[]).includes(value))) {
    throw invalid('status', `one or more (comma-separated) of ${JOB_STATUSES.join(', ')}`);
  }
  const time = (name: string): number | undefined => {
    const text = single(name);
    if (text === undefined) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw invalid(name, 'an ISO 8601 time, e.g. 2026-12-01T18:00:00Z');
    return at;
  };
  const cursor = single('cursor');
  return {
    limit,
    cursor: cursor === undefined ? undefined : decodeCursor(cursor),
    status: status as JobStatus[] | undefined,
    model: single('model'),
    createdAfter: time('created_after'),
    createdBefore: time('created_before'),
  };
}
