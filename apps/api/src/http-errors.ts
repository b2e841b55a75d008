import { AppError } from '@infer/contracts';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';

/** Map anything thrown in a handler to one `{ error: { code, message, details? } }` body. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE')
      return new AppError('payload_too_large', 'the image is larger than the upload limit');
    return new AppError(
      'invalid_request',
      `multipart body refused: ${error.message}${error.field ? ` (field "${error.field}")` : ''}`,
    );
  }
  const err = error as { type?: string; status?: number; message?: string; name?: string };
  // body-parser errors carry a status and a type.
  if (err.type === 'entity.too.large')
    return new AppError('payload_too_large', 'the request body is larger than the upload limit');
  if (err.type === 'entity.parse.failed') return new AppError('invalid_request', 'the request body is not valid JSON');
  if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported') {
    return new AppError('unsupported_media_type', `the request body cannot be read: ${err.message ?? err.type}`);
  }
  if (isRedisUnavailable(error)) {
    return new AppError('service_unavailable', 'the job store is unreachable; retry shortly', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    // busboy ("Unexpected end of form", "Malformed part header") and other client-side parse errors
    return new AppError('invalid_request', err.message ?? 'invalid request');
  }
  return new AppError('internal_error', 'internal error', { cause: error });
}

/** ioredis without offline queue fails fast while Redis is down; that is a 503, not a 500. */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|Stream isn't writeable|Redis not ready/i.test(error.message)
  );
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
