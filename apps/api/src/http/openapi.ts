import {
  batchAcceptedSchema,
  errorBodySchema,
  fileViewSchema,
  healthSchema,
  jobAcceptedSchema,
  jobListSchema,
  jobStatusSchema,
  jobViewSchema,
  modelListSchema,
  modelRoutingViewSchema,
  modelViewSchema,
  predictionListSchema,
  predictionViewSchema,
  readinessSchema,
  replicateModelSchema,
  webhookRedeliveryAcceptedSchema,
  webhookSecretSchema,
} from '@infer/contracts';
import { z } from 'zod';
import { type Json, RATE_LIMIT_HEADERS } from './openapi-parts.ts';
import type { Operation } from './operation.ts';

/**
 * The OpenAPI 3.1 description served at `GET /openapi.json`, built from the
 * operations an app mounts (app.ts gives the list it mounts from; each operation is
 * registered by operationRoutes / addOperation, which validates each request against
 * the same zod schemas the parameters and bodies are described from). Component
 * schemas come from the zod schemas the handlers answer from (`@infer/contracts`).
 * test/e2e/openapi.e2e.test.ts fails when a route is registered without an operation,
 * or when a real answer (success or error) does not validate against what is
 * documented for its status.
 */

/** Response schemas: named components, generated from the zod schemas (output side). */
const COMPONENTS: Record<string, z.ZodType> = {
  JobStatus: jobStatusSchema,
  JobView: jobViewSchema,
  JobAccepted: jobAcceptedSchema,
  JobList: jobListSchema,
  Prediction: predictionViewSchema,
  PredictionList: predictionListSchema,
  ReplicateModel: replicateModelSchema,
  File: fileViewSchema,
  WebhookSecret: webhookSecretSchema,
  BatchAccepted: batchAcceptedSchema,
  ModelView: modelViewSchema,
  ModelList: modelListSchema,
  ModelRoutingView: modelRoutingViewSchema,
  WebhookRedeliveryAccepted: webhookRedeliveryAcceptedSchema,
  Error: errorBodySchema,
  Health: healthSchema,
  Readiness: readinessSchema,
};

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // OpenAPI components are subschemas of the document: no $schema / $id of their own.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema as Json;
      return [id, rest];
    }),
  );
}

const REQUEST_ID = {
  'X-Request-Id': {
    description: 'the request id (the one sent, if valid, else a new one); every log line of the job carries it',
    schema: { type: 'string' },
  },
};
const requestIdParameter = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description: 'an id of yours for this request (1 to 128 of A-Z a-z 0-9 . _ : -), echoed and logged',
  schema: { type: 'string', maxLength: 128 },
};

/** The paths object: each operation's object, plus what they all share (X-Request-Id both ways, rate-limit headers). */
function pathsOf(operations: readonly Operation[]): Record<string, Record<string, Json>> {
  const paths: Record<string, Record<string, Json>> = {};
  for (const operation of operations) {
    const object = operationObject(operation, BEARER);
    object.parameters = [...((object.parameters as Json[] | undefined) ?? []), requestIdParameter];
    for (const [status, response] of Object.entries(object.responses as Record<string, Json>)) {
      // The limiter runs after auth on /v1: every answer but a 401 carries its headers (when a limit is set).
      const rateLimited = operation.path.startsWith('/v1/') && status !== '401' ? RATE_LIMIT_HEADERS : {};
      response.headers = { ...REQUEST_ID, ...rateLimited, ...((response.headers as Json | undefined) ?? {}) };
    }
    paths[operation.path] = { ...paths[operation.path], [operation.method]: object };
  }
  return paths;
}

const BEARER = [{ bearer: [] }];

/** The document describing `operations` (in their order). */
export function openApiDocumentOf(operations: readonly Operation[]): Json {
  return {
    openapi: '3.1.0',
    // No jsonSchemaDialect: OpenAPI 3.1's default (its 2020-12 based dialect) fits the generated schemas, and
    // Swagger UI warns on any other value.
    info: {
      title: 'Image inference API',
      version: '1',
      description:
        'Asynchronous image classification: submit an image, then poll, long-poll (`Prefer: wait`) or stream ' +
        '(`/events`) the job. Every error is `{ "error": { "code", "message", "details"? } }`. When API keys or ' +
        'JWT settings are configured, every `/v1` route needs `Authorization: Bearer <key or token>` and a client ' +
        'sees only its own jobs; probes, metrics and this document stay open.',
    },
    servers: [{ url: '/', description: 'the origin serving this document' }],
    tags: [
      { name: 'jobs', description: 'submit and follow inference jobs' },
      { name: 'replicate', description: "Replicate's API over the same jobs (a prediction id is a job id)" },
      { name: 'models', description: 'the model catalog' },
      { name: 'webhooks', description: 'webhook deliveries of a job' },
      { name: 'operations', description: 'probes, metrics, this document' },
    ],
    security: BEARER,
    paths: pathsOf(operations),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'an API key (its SHA-256 listed in API_KEYS) or a JWT (JWT_SECRET / JWT_JWKS_URL)',
        },
      },
    },
  };
}

/** A zod schema as JSON Schema for a request (input side), without `$schema`. */
function requestSchema(schema: z.ZodType): Json {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** OpenAPI parameters of one request part (path, query or header), from its zod object. */
function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query' | 'header'): Json[] {
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
function operationObject(operation: Operation, bearer: Json[]): Json {
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
