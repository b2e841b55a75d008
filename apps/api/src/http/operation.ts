import { AppError } from '@infer/contracts';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';

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

/** One API operation, declared once: Express registers it, validation follows it, /openapi.json describes it. */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template (`/v1/jobs/{id}`); Express's `:id` form is derived. */
  path: string;
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  /** Bearer auth (default) or none (probes, metrics, this document). */
  open?: boolean;
  request?: RequestSpec;
  responses: Record<string, Json>;
}

/** The validated parts of a request, as its operation's schemas parsed them. */
export interface Validated {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** What an operation's handlers read instead of req.params / req.query / req.headers. */
export const validated = (res: Response): Validated => res.locals.validated as Validated;

/**
 * Register an operation on an Express router, with a validating middleware in
 * front of its handlers. Routes are only ever registered through here, and the
 * OpenAPI document is built from the same declarations (openapi.ts), so no route
 * can be served without being described, nor described as it is not.
 */
export function addOperation(router: Router, operation: Operation, ...handlers: RequestHandler[]): void {
  // A literal colon (`/v1/jobs:batch`) is escaped for Express before `{id}` becomes `:id`.
  const path = operation.path.replace(/:/g, '\\:').replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
  router[operation.method](path, validateRequest(operation.request ?? {}), ...handlers);
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
    } satisfies Validated;
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

// ---- The OpenAPI side ------------------------------------------------------------------

/** A zod schema as JSON Schema for a request (input side), without `$schema`. */
export function requestSchema(schema: z.ZodType): Json {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** OpenAPI parameters of one request part (path, query or header), from its zod object. */
export function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query' | 'header'): Json[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...json } = requestSchema(field as z.ZodType);
    return {
      name,
      in: location,
      required: location === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: json,
    };
  });
}

/** An operation's OpenAPI object (parameters and body from its request spec). */
export function operationObject(operation: Operation, bearer: Json[]): Json {
  const request = operation.request ?? {};
  const parameters = [
    ...parametersOf(request.params, 'path'),
    ...parametersOf(request.query, 'query'),
    ...parametersOf(request.headers, 'header'),
  ];
  return {
    operationId: operation.operationId,
    tags: operation.tags,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    security: operation.open ? [] : bearer,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(request.body
      ? {
          requestBody: {
            required: request.body.required,
            content: Object.fromEntries(
              Object.entries(request.body.content).map(([type, schema]) => [
                type,
                { schema: schema instanceof z.ZodType ? requestSchema(schema) : schema },
              ]),
            ),
          },
        }
      : {}),
    responses: operation.responses,
  };
}
