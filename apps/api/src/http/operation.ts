import { AppError } from '@infer/contracts';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { z } from 'zod';

type Json = Record<string, unknown>;

/** The parts of a request an operation declares; each is validated before its handlers run. */
export interface RequestSpec {
  /** Path parameters (`{id}` in the path). */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers by their canonical name (`Idempotency-Key`); matched case-insensitively. */
  headers?: z.ZodObject;
  /** Media type -> a zod schema (validated by the handler's body parser) or a JSON Schema (multipart, raw). */
  body?: { required: boolean; content: Record<string, z.ZodType | Json> };
}

/**
 * One API operation, declared once in its feature's `*.operations.ts`: mounting it
 * (operationRoutes, addOperation) registers it with Express behind a validator of its
 * request spec, and the OpenAPI document (openapi.ts) describes what is mounted.
 */
export interface Operation<R extends RequestSpec = RequestSpec> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path template (`/v1/jobs/{id}`); Express's `:id` form is derived. */
  path: string;
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  /** Bearer auth (default) or none (probes, metrics, this document). */
  open?: boolean;
  request?: R;
  responses: Record<string, Json>;
}

/** A declared part as its schema parses it; an undeclared part is empty. */
type Part<S> = [Exclude<S, undefined>] extends [never] ? Record<string, never> : z.output<Exclude<S, undefined>>;

/** The validated parts of a request, typed from its operation's schemas. */
export interface Validated<R extends RequestSpec = RequestSpec> {
  params: Part<R['params']>;
  query: Part<R['query']>;
  headers: Part<R['headers']>;
}

/** What an operation's handler reads instead of req.params / req.query / req.headers. */
export type OperationHandler<R extends RequestSpec = RequestSpec> = (
  input: Validated<R>,
  req: Request,
  res: Response,
) => unknown;

/** The handler of an operation, alone or after middleware of its own (a body parser). */
export type OperationMount<O> =
  O extends Operation<infer R> ? OperationHandler<R> | [...RequestHandler[], OperationHandler<R>] : never;

/**
 * Register an operation on an Express router: a validating middleware first, then
 * `handlers`, the last of which is given the validated request.
 */
export function addOperation<R extends RequestSpec>(
  router: Router,
  operation: Operation<R>,
  ...handlers: [...RequestHandler[], OperationHandler<R>]
): void {
  const before = handlers.slice(0, -1) as RequestHandler[];
  const handle = handlers[handlers.length - 1] as OperationHandler<R>;
  // A literal colon (`/v1/jobs:batch`) is escaped for Express before `{id}` becomes `:id`.
  const path = operation.path.replace(/:/g, '\\:').replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
  // Returned, so that Express 5 passes a rejected handler's error on.
  const last: RequestHandler = (req, res) => handle(res.locals.validated as Validated<R>, req, res);
  router[operation.method](path, validateRequest(operation.request ?? {}), ...before, last);
}

/** A feature's operations, and the router that mounts each of them with its handler. */
export interface OperationRoutes<Deps> {
  operations: readonly Operation[];
  router: (deps: Deps) => Router;
}

/**
 * Routes of one feature: every operation of `operations`, mounted in their order with
 * the handler `handlersOf` gives it (the type asks for one per operation, and no other).
 * What a router serves is thus exactly `operations`, which the OpenAPI document lists.
 */
export function operationRoutes<Ops extends Record<string, Operation>, Deps>(
  operations: Ops,
  handlersOf: (deps: Deps) => { [K in keyof Ops]: OperationMount<Ops[K]> },
): OperationRoutes<Deps> {
  return {
    operations: Object.values(operations),
    router: (deps) => {
      const router = Router();
      const handlers = handlersOf(deps);
      for (const key of Object.keys(operations) as (keyof Ops)[]) {
        const mount = handlers[key] as OperationHandler | [...RequestHandler[], OperationHandler];
        addOperation(router, operations[key] as Operation, ...(Array.isArray(mount) ? mount : [mount]));
      }
      return router;
    },
  };
}

/** Parse params, query and headers with the operation's schemas; the first problem is a 400 naming its field. */
function validateRequest(spec: RequestSpec): RequestHandler {
  const headerNames = Object.keys(spec.headers?.shape ?? {});
  // Built once per operation, not per request: a declared part admits nothing it does not name.
  const params = spec.params?.strict();
  const query = spec.query?.strict();
  const headers = spec.headers?.strict();
  return (req: Request, res, next) => {
    const given = Object.fromEntries(
      headerNames.flatMap((name) => {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? [] : [[name, value]];
      }),
    );
    res.locals.validated = {
      params: parsePart(params, req.params, 'path'),
      query: parsePart(query, req.query, 'query'),
      headers: parsePart(headers, given, 'header'),
    };
    next();
  };
}

function parsePart(schema: z.ZodObject | undefined, value: unknown, where: string): Record<string, unknown> {
  if (!schema) return {};
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const field = String(issue.code === 'unrecognized_keys' ? issue.keys[0] : (issue.path[0] ?? where));
  const message = issue.code === 'unrecognized_keys' ? `unknown ${where} parameter` : issue.message;
  throw new AppError('invalid_request', `${field}: ${message}`, { details: { field } });
}
