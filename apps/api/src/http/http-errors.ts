import { AppError } from '@infer/contracts';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** Map anything thrown in a handler to one `{ error: { code, message, details? } }` body. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const err = error as { status?: number; message?: string };
  if (isRedisUnavailable(error)) {
    return new AppError('service_unavailable', 'the job store is unreachable; retry shortly', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (isRedisRefusingWrites(error)) {
    return new AppError('service_unavailable', 'the job store cannot take writes right now; retry shortly', {
      headers: { 'Retry-After': '5' },
      details: { reason: (error as Error).message.split(' ')[0] },
    });
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    // Client errors of a library that carry a status (body parsers map theirs where they enter).
    return new AppError('invalid_request', err.message ?? 'invalid request');
  }
  return new AppError('internal_error', 'internal error', { cause: error });
}

/**
 * ioredis without offline queue fails fast while Redis is down, and aborts a transaction
 * whose connection dropped half-answered; that is a 503, not a 500.
 */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|Stream isn't writeable|Redis not ready|Command aborted due to connection close/i.test(
      error.message,
    )
  );
}

/**
 * Redis answers but refuses: full under `noeviction` (OOM), still loading its
 * append-only file after a restart (LOADING), a replica during failover (READONLY).
 */
function isRedisRefusingWrites(error: unknown): boolean {
  return error instanceof Error && /^(OOM|LOADING|READONLY|MASTERDOWN|BUSY) /.test(error.message);
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const appError = toAppError(error);
  if (appError.status >= 500) req.log?.error({ err: error }, appError.message);
  for (const [name, value] of Object.entries(appError.options.headers ?? {})) res.setHeader(name, value);
  const body: { code: string; message: string; details?: unknown } = { code: appError.code, message: appError.message };
  if (appError.details !== undefined) body.details = appError.details;
  res.status(appError.status).json({ error: body });
};

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('route_not_found', `no route for ${req.method} ${req.path}`));
};
