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
  modelViewSchema,
  predictionListSchema,
  predictionViewSchema,
  readinessSchema,
  replicateModelSchema,
  webhookRedeliveryAcceptedSchema,
  webhookSecretSchema,
} from '@infer/contracts';
import { z } from 'zod';
import { EVENTS_OPERATIONS } from '../jobs/events.route.ts';
import { JOBS_OPERATIONS } from '../jobs/jobs.operations.ts';
import { MODELS_OPERATIONS } from '../models/models.route.ts';
import { HEALTH_OPERATIONS } from '../platform/health.route.ts';
import { METRICS_OPERATIONS } from '../platform/metrics.ts';
import { REPLICATE_OPERATIONS } from '../replicate/replicate.operations.ts';
import { WEBHOOKS_OPERATIONS } from '../webhooks/webhooks.route.ts';
import { type Json, json, RATE_LIMIT_HEADERS } from './openapi-parts.ts';
import { type Operation, operationObject } from './operation.ts';

/**
 * The OpenAPI 3.1 description served at `GET /openapi.json`, built from the
 * operations the route modules declare (`*_OPERATIONS`, registered with
 * `addOperation`, which validates each request against the same zod schemas the
 * parameters and bodies are described from). Component schemas come from the
 * zod schemas the handlers answer from (`@infer/contracts`). test/e2e/openapi.e2e.test.ts
 * fails when a route is registered without an operation, or when a real answer
 * (success or error) does not validate against what is documented for its status.
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

export const OPENAPI_OPERATIONS = {
  openapi: {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tags: ['operations'],
    summary: 'This document',
    open: true,
    responses: { '200': { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) } },
  },
} satisfies Record<string, Operation>;

/** Every operation of the API, as the route modules declare and register them. */
export const OPERATIONS: Operation[] = [
  ...Object.values(JOBS_OPERATIONS),
  ...Object.values(EVENTS_OPERATIONS),
  ...Object.values(WEBHOOKS_OPERATIONS),
  ...Object.values(MODELS_OPERATIONS),
  ...Object.values(REPLICATE_OPERATIONS),
  ...Object.values(HEALTH_OPERATIONS),
  ...Object.values(METRICS_OPERATIONS),
  ...Object.values(OPENAPI_OPERATIONS),
];

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

let cached: Json | undefined;

const BEARER = [{ bearer: [] }];

export function openApiDocument(): Json {
  cached ??= {
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
    paths: pathsOf(OPERATIONS),
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
  return cached;
}
