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
    // Client errors of a library that carry a status (body parsers map theirs where they enter): a
    // sentence of ours, the library's text (it names our router, and echoes the request) only in the log.
    if (error instanceof URIError) {
      // Express' router: a path parameter that is not valid percent-encoding (`/v1/jobs/%E0`).
      return new AppError('invalid_request', 'the request path is not valid percent-encoding', {
        cause: error,
        details: { reason: 'bad_path_encoding' },
      });
    }
    return new AppError('invalid_request', 'the request cannot be read', { cause: error });
  }
  return new AppError('internal_error', 'internal error', { cause: error });
}

/**
 * ioredis without offline queue fails fast while Redis is down or a Sentinel failover is
 * under way (the old primary's socket broke, no sentinel names a reachable primary yet), and
 * aborts a transaction whose connection dropped half-answered; on a Cluster, a slot whose
 * primary died is unreachable until its replica takes over (the client gives up after its
 * redirections, or no primary serves the slot: packages/redis SlotOwnerUnavailableError).
 * That is a 503, not a 500.
 */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    ['MaxRetriesPerRequestError', 'ClusterAllFailedError', 'SlotOwnerUnavailableError'].includes(error.name) ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Stream isn't writeable|Redis not ready|Command aborted due to connection close|All sentinels are unreachable|Too many Cluster redirections|Cluster isn't ready|None of startup nodes is available|Failed to refresh slots cache/i.test(
      error.message,
    )
  );
}

/**
 * Redis answers but refuses: full under `noeviction` (OOM), still loading its
 * append-only file after a restart (LOADING), a demoted primary or a replica during a
 * failover (READONLY, MASTERDOWN, UNBLOCKED for a blocked command whose node changed role),
 * too few replicas for `min-replicas-to-write` (NOREPLICAS), a Cluster slot failing over
 * (CLUSTERDOWN) or migrating (TRYAGAIN).
 */
function isRedisRefusingWrites(error: unknown): boolean {
  return (
    error instanceof Error &&
    /^(OOM|LOADING|READONLY|MASTERDOWN|BUSY|UNBLOCKED|NOREPLICAS|CLUSTERDOWN|TRYAGAIN) /.test(error.message)
  );
}

/** What a library said of a refused request, for its log line: its text and, if any, its code or type. */
function libraryText(cause: unknown): Record<string, unknown> {
  if (!(cause instanceof Error)) return { message: String(cause) };
  const { code, type } = cause as { code?: unknown; type?: unknown };
  return {
    name: cause.name,
    message: cause.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof type === 'string' ? { type } : {}),
  };
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const appError = toAppError(error);
  if (appError.status >= 500) req.log?.error({ err: error }, appError.message);
  else if (appError.cause !== undefined) {
    // A refusal whose client sentence hides a library's words: they go to the request's log line
    // (which carries the request id), for whoever reads it with the client's X-Request-Id.
    req.log?.info({ code: appError.code, cause: libraryText(appError.cause) }, `refused: ${appError.message}`);
  }
  for (const [name, value] of Object.entries(appError.options.headers ?? {})) res.setHeader(name, value);
  const body: { code: string; message: string; details?: unknown } = { code: appError.code, message: appError.message };
  if (appError.details !== undefined) body.details = appError.details;
  res.status(appError.status).json({ error: body });
};

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('route_not_found', `no route for ${req.method} ${req.path}`));
};
