import {
  batchAcceptedSchema,
  createPredictionSchema,
  ERROR_CODES,
  type ErrorCode,
  errorBodySchema,
  fileViewSchema,
  healthSchema,
  JOB_STATUSES,
  jobAcceptedSchema,
  jobListSchema,
  jobStatusSchema,
  jobViewSchema,
  MAX_METADATA_BYTES,
  modelListSchema,
  modelViewSchema,
  PRIORITY_MAX,
  PRIORITY_MIN,
  predictionListSchema,
  predictionViewSchema,
  readinessSchema,
  replicateModelSchema,
  submitBatchJsonSchema,
  submitJsonSchema,
  WEBHOOK_EVENTS,
  webhookRedeliveryAcceptedSchema,
  webhookSecretSchema,
} from '@infer/contracts';
import { z } from 'zod';
import { MAX_LIST_LIMIT } from './job-list.ts';
import { MAX_WAIT_SECONDS } from './job-waiter.ts';

/**
 * The OpenAPI 3.1 description served at `GET /openapi.json`. Component schemas
 * are generated from the same zod schemas the handlers validate with and answer
 * from (`@infer/contracts`), so they cannot drift; paths are written by hand
 * below, one entry per operation. test/e2e/openapi.e2e.test.ts fails when a
 * route registered on the app is missing here, or when a real answer (success
 * or error) does not validate against what is documented for its status.
 *
 * To document a new route: add its zod schemas to COMPONENTS (if any), then an
 * entry in PATHS, listing its error codes with `errors(...)`.
 */

type Json = Record<string, unknown>;

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

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });

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

/** A request schema (input side: defaults optional). */
export const requestSchema = (schema: z.ZodType): Json => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } } };
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': {
    description: 'requests allowed per window (when RATE_LIMIT_PER_MINUTE is set)',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': { description: 'requests left in the window', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'seconds until the window resets', schema: { type: 'integer' } },
};

/**
 * Error responses of an operation, grouped by HTTP status; the documented body
 * only admits the listed codes, so an undocumented cause fails the conformance test.
 */
export function errors(...codes: ErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: list.map((code) => `\`${code}\``).join(', '),
        ...(status === 401
          ? {
              headers: {
                'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750)', schema: { type: 'string' } },
              },
            }
          : {}),
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
        content: json({
          allOf: [
            ref('Error'),
            { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: list } } } } },
          ],
        }),
      },
    ]),
  );
}

/** Errors every authenticated, rate-limited /v1 operation may answer. */
const V1_ERRORS: ErrorCode[] = ['unauthorized', 'rate_limited', 'internal_error', 'service_unavailable'];
const BEARER = [{ bearer: [] }];
const OPEN: Json[] = [];

const jobIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'job id (as answered on submission)',
  schema: { type: 'string' },
};
const preferParameter = {
  name: 'Prefer',
  in: 'header',
  required: false,
  description:
    `\`wait=N\` (RFC 7240): hold the answer until the job is terminal or N seconds (at most ${MAX_WAIT_SECONDS}) ` +
    `have passed, then answer its state; a bare \`wait\` means ${MAX_WAIT_SECONDS}. The answer carries \`Preference-Applied: wait=N\`.`,
  schema: { type: 'string', examples: ['wait=30'] },
};
const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'retrying with the same key (per client) answers the original job (`200`, `Idempotent-Replayed: true`) ' +
    'instead of creating another; the same key with a different request is `409 idempotency_key_reused`',
  schema: { type: 'string', maxLength: 255 },
};
const cancelAfterParameter = {
  name: 'Cancel-After',
  in: 'header',
  required: false,
  description: 'seconds: a job still queued then is canceled (`error.code` `deadline_exceeded`) and never runs',
  schema: { type: 'string', examples: ['30'] },
};
const IMAGE_ERRORS: ErrorCode[] = [
  'invalid_request',
  'missing_image',
  'ambiguous_image',
  'unknown_model',
  'url_not_allowed',
  'image_fetch_failed',
  'url_fetch_failed',
  'url_timeout',
  'url_too_large',
  'idempotency_key_reused',
  'idempotency_key_in_progress',
  'payload_too_large',
  'unsupported_media_type',
  'queue_full',
];
const multipartFields = {
  model: { type: 'string' },
  version: { type: 'string' },
  priority: { type: 'integer', minimum: PRIORITY_MIN, maximum: PRIORITY_MAX },
  metadata: { type: 'string', description: `JSON object, at most ${MAX_METADATA_BYTES} bytes` },
  webhook_url: { type: 'string' },
  webhook_events: { type: 'string', description: `comma-separated: ${WEBHOOK_EVENTS.join(', ')}` },
};
/** A multipart body: the `image` field (one file, or repeated) plus the options as form fields. */
const multipartForm = (image: object) => ({
  'multipart/form-data': {
    schema: { type: 'object', required: ['image'], properties: { image, ...multipartFields } },
  },
});
const rawImage = { schema: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' } };
/** Options of a raw-image submission (multipart and JSON bodies carry them as fields). */
const rawBodyOptions: Json[] = Object.entries(multipartFields).map(([name, schema]) => ({
  name,
  in: 'query',
  required: false,
  description: 'with a raw image body only (multipart and JSON bodies carry the options as fields)',
  schema,
}));
const IDEMPOTENT_REPLAYED = {
  'Idempotent-Replayed': {
    description: '`true` when this answers an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

const PREFERENCE_APPLIED = {
  'Preference-Applied': { description: 'the wait applied, when `Prefer: wait` was sent', schema: { type: 'string' } },
};

function cancelOperation(operationId: string): Json {
  return {
    operationId,
    tags: ['jobs'],
    summary: 'Cancel a queued job (idempotent: a canceled job is answered again)',
    security: BEARER,
    parameters: [jobIdParameter],
    responses: {
      '200': { description: 'the canceled job', content: json(ref('JobView')) },
      ...errors('job_not_found', 'job_expired', 'job_not_cancelable', ...V1_ERRORS),
    },
  };
}

const listParameters: Json[] = [
  {
    name: 'limit',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT },
    description: 'page size (default LIST_PAGE_SIZE)',
  },
  {
    name: 'cursor',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'the `next_cursor` of the previous page (opaque)',
  },
  {
    name: 'status',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: `one or more, comma-separated: ${JOB_STATUSES.join(', ')}`,
  },
  { name: 'model', in: 'query', required: false, schema: { type: 'string' } },
  { name: 'created_after', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
  { name: 'created_before', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
];
const predictionIdParameter = { ...jobIdParameter, description: 'prediction id (= job id)' };
const ownerNameParameters: Json[] = [
  { name: 'owner', in: 'path', required: true, schema: { type: 'string', examples: ['infer'] } },
  { name: 'name', in: 'path', required: true, schema: { type: 'string', examples: ['plant-pathology'] } },
];
const fileIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const PREDICTION_CREATE_ERRORS: ErrorCode[] = [
  'invalid_request',
  'model_not_found',
  'unsupported_media_type',
  'payload_too_large',
  'url_not_allowed',
  'image_fetch_failed',
  'url_fetch_failed',
  'url_timeout',
  'url_too_large',
  'queue_full',
];

/** Replicate's API shape over the same jobs (see replicate.route.ts). */
function createPredictionOperation(operationId: string, extra: Json[] = []): Json {
  return {
    operationId,
    tags: ['replicate'],
    summary: 'Create a prediction (a job), as Replicate does',
    description:
      '`input.image` is a data URI, a URL answered by `POST /v1/files`, or an http(s) URL. With `Prefer: wait`, the ' +
      'answer waits for the end; a prediction not finished by then is answered `starting`, so that blocking clients poll.',
    security: BEARER,
    parameters: [...extra, preferParameter],
    requestBody: { required: true, content: json(requestSchema(createPredictionSchema)) },
    responses: {
      '201': {
        description: 'the prediction',
        headers: { Location: { description: 'its `urls.get`', schema: { type: 'string' } }, ...PREFERENCE_APPLIED },
        content: json(ref('Prediction')),
      },
      ...errors(...PREDICTION_CREATE_ERRORS, ...V1_ERRORS),
    },
  };
}

const REPLICATE_PATHS: Record<string, Record<string, Json>> = {
  '/v1/predictions': {
    post: createPredictionOperation('createPrediction'),
    get: {
      operationId: 'listPredictions',
      tags: ['replicate'],
      summary: "The caller's predictions, newest first, in cursor pages",
      security: BEARER,
      parameters: listParameters.filter((p) => ['limit', 'cursor'].includes(p.name as string)),
      responses: {
        '200': { description: 'a page', content: json(ref('PredictionList')) },
        ...errors('invalid_request', ...V1_ERRORS),
      },
    },
  },
  '/v1/models/{owner}/{name}/predictions': {
    post: createPredictionOperation('createModelPrediction', ownerNameParameters),
  },
  '/v1/predictions/{id}': {
    get: {
      operationId: 'getPrediction',
      tags: ['replicate'],
      summary: 'A prediction',
      security: BEARER,
      parameters: [predictionIdParameter],
      responses: {
        '200': { description: 'the prediction', content: json(ref('Prediction')) },
        ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
      },
    },
  },
  '/v1/predictions/{id}/cancel': {
    post: {
      operationId: 'cancelPrediction',
      tags: ['replicate'],
      summary: 'Cancel a prediction still queued; one that already ran is answered as it is',
      security: BEARER,
      parameters: [predictionIdParameter],
      responses: {
        '200': { description: 'the prediction', content: json(ref('Prediction')) },
        ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
      },
    },
  },
  '/v1/models/{owner}/{name}': {
    get: {
      operationId: 'getReplicateModel',
      tags: ['replicate'],
      summary: 'A model as Replicate describes one (owner `infer`)',
      security: BEARER,
      parameters: ownerNameParameters,
      responses: {
        '200': { description: 'the model', content: json(ref('ReplicateModel')) },
        ...errors('model_not_found', ...V1_ERRORS),
      },
    },
  },
  '/v1/webhooks/default/secret': {
    get: {
      operationId: 'getWebhookSecret',
      tags: ['replicate'],
      summary: 'The key webhook deliveries are signed with (when the API is given WEBHOOK_SECRET)',
      security: BEARER,
      responses: {
        '200': { description: 'the signing key', content: json(ref('WebhookSecret')) },
        ...errors('webhook_secret_not_configured', ...V1_ERRORS),
      },
    },
  },
  '/v1/files': {
    post: {
      operationId: 'createFile',
      tags: ['replicate'],
      summary: 'Upload a file to name as a prediction input (`urls.get`)',
      security: BEARER,
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['content'],
              properties: {
                content: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
                metadata: { type: 'string', description: 'JSON object' },
              },
            },
          },
        },
      },
      responses: {
        '201': { description: 'the file', content: json(ref('File')) },
        ...errors('missing_image', 'invalid_request', 'payload_too_large', ...V1_ERRORS),
      },
    },
  },
  '/v1/files/{id}': {
    get: {
      operationId: 'getFile',
      tags: ['replicate'],
      summary: "An uploaded file's description",
      security: BEARER,
      parameters: [fileIdParameter],
      responses: {
        '200': { description: 'the file', content: json(ref('File')) },
        ...errors('file_not_found', ...V1_ERRORS),
      },
    },
    delete: {
      operationId: 'deleteFile',
      tags: ['replicate'],
      summary: 'Delete an uploaded file',
      security: BEARER,
      parameters: [fileIdParameter],
      responses: { '204': { description: 'deleted' }, ...errors('file_not_found', ...V1_ERRORS) },
    },
  },
  '/v1/files/{id}/download': {
    get: {
      operationId: 'downloadFile',
      tags: ['replicate'],
      summary: "An uploaded file's bytes",
      security: BEARER,
      parameters: [fileIdParameter],
      responses: {
        '200': {
          description: 'the bytes',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errors('file_not_found', ...V1_ERRORS),
      },
    },
  },
};

const PATHS: Record<string, Record<string, Json>> = {
  ...REPLICATE_PATHS,
  '/v1/jobs': {
    get: {
      operationId: 'listJobs',
      tags: ['jobs'],
      summary: "The caller's jobs, newest first, in cursor pages; an expired job leaves the list",
      security: BEARER,
      parameters: listParameters,
      responses: {
        '200': { description: 'a page', content: json(ref('JobList')) },
        ...errors('invalid_request', ...V1_ERRORS),
      },
    },
    post: {
      operationId: 'submitJob',
      tags: ['jobs'],
      summary: 'Submit an image for classification',
      description:
        'Queues a job and answers `202` at once. With `Prefer: wait=N` the answer waits for the job: ' +
        '`200` with the terminal job if it ends within N seconds, else `202` with its current state.',
      security: BEARER,
      parameters: [preferParameter, idempotencyKeyParameter, cancelAfterParameter, ...rawBodyOptions],
      requestBody: {
        required: true,
        content: {
          ...multipartForm({
            type: 'string',
            format: 'binary',
            contentMediaType: 'application/octet-stream',
            description: 'JPEG, PNG or WebP',
          }),
          'application/json': { schema: requestSchema(submitJsonSchema) },
          'image/jpeg': rawImage,
          'image/png': rawImage,
          'image/webp': rawImage,
        },
      },
      responses: {
        '200': {
          description: 'with `Prefer: wait`: the job ended in time; or an `Idempotency-Key` replay (the original job)',
          headers: { ...PREFERENCE_APPLIED, ...IDEMPOTENT_REPLAYED },
          content: json(ref('JobView')),
        },
        '202': {
          description: 'queued (with `Prefer: wait`: the job state when the wait ran out)',
          headers: { Location: { description: '/v1/jobs/{id}', schema: { type: 'string' } }, ...PREFERENCE_APPLIED },
          content: json({ anyOf: [ref('JobAccepted'), ref('JobView')] }),
        },
        ...errors(...IMAGE_ERRORS, ...V1_ERRORS),
      },
    },
  },
  '/v1/jobs:batch': {
    post: {
      operationId: 'submitBatch',
      tags: ['jobs'],
      summary: 'Submit several images at once (all or nothing), one job each',
      security: BEARER,
      parameters: [idempotencyKeyParameter, cancelAfterParameter],
      requestBody: {
        required: true,
        content: {
          ...multipartForm({
            type: 'array',
            items: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
          }),
          'application/json': { schema: requestSchema(submitBatchJsonSchema) },
        },
      },
      responses: {
        '200': {
          description: 'an `Idempotency-Key` replay',
          headers: IDEMPOTENT_REPLAYED,
          content: json(ref('BatchAccepted')),
        },
        '202': { description: 'one accepted job per image, in request order', content: json(ref('BatchAccepted')) },
        ...errors(...IMAGE_ERRORS, ...V1_ERRORS),
      },
    },
  },
  '/v1/jobs/{id}': {
    get: {
      operationId: 'getJob',
      tags: ['jobs'],
      summary: 'Read a job (long-poll with `Prefer: wait=N`)',
      security: BEARER,
      parameters: [jobIdParameter, preferParameter],
      responses: {
        '200': { description: 'the job', headers: PREFERENCE_APPLIED, content: json(ref('JobView')) },
        ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
      },
    },
    delete: cancelOperation('cancelJob'),
  },
  '/v1/jobs/{id}/cancel': { post: cancelOperation('cancelJobPost') },
  '/v1/jobs/{id}/webhook/redeliver': {
    post: {
      operationId: 'redeliverWebhook',
      tags: ['webhooks'],
      summary: "Send a finished job's webhook event again (same webhook-id and body, a new series of attempts)",
      security: BEARER,
      parameters: [jobIdParameter],
      responses: {
        '202': { description: 'redelivery queued', content: json(ref('WebhookRedeliveryAccepted')) },
        ...errors('job_not_found', 'job_expired', 'webhook_not_redeliverable', ...V1_ERRORS),
      },
    },
  },
  '/v1/models': {
    get: {
      operationId: 'listModels',
      tags: ['models'],
      summary: 'The models served, with their input contract and live workers',
      security: BEARER,
      responses: { '200': { description: 'models', content: json(ref('ModelList')) }, ...errors(...V1_ERRORS) },
    },
  },
  '/v1/models/{name}': {
    get: {
      operationId: 'getModel',
      tags: ['models'],
      summary: 'One model',
      security: BEARER,
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'the model', content: json(ref('ModelView')) },
        ...errors('model_not_found', ...V1_ERRORS),
      },
    },
  },
  '/v1/jobs/{id}/events': {
    get: {
      operationId: 'streamJobEvents',
      tags: ['jobs'],
      summary: 'Stream the state changes of a job (Server-Sent Events)',
      description:
        'One `event: status` per state change, `data` being the job (schema JobView) and `id` its status; the ' +
        'current state comes first and the stream ends after a terminal state. A comment line is sent every 15 s. ' +
        'If the job record disappears mid-stream an `event: error` with an Error body ends it. A reconnect ' +
        'with `Last-Event-ID` equal to the terminal status is answered `204` (which stops EventSource).',
      security: BEARER,
      parameters: [jobIdParameter],
      responses: {
        '200': {
          description: 'event stream; each `data` line is a JobView',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        '204': { description: 'the job already ended and the client saw it (`Last-Event-ID`)' },
        ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
      },
    },
  },
  '/healthz': {
    get: {
      operationId: 'liveness',
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      security: OPEN,
      responses: { '200': { description: 'alive', content: json(ref('Health')) } },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      tags: ['operations'],
      summary: 'Readiness: Redis answers and at least one worker heartbeat is recent',
      security: OPEN,
      responses: {
        '200': { description: 'ready', content: json(ref('Readiness')) },
        '503': { description: 'not ready', content: json(ref('Readiness')) },
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (text exposition format)',
      security: OPEN,
      responses: {
        '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...errors('internal_error', 'service_unavailable'),
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openapi',
      tags: ['operations'],
      summary: 'This document',
      security: OPEN,
      responses: { '200': { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) } },
    },
  },
};

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

/** Headers every operation shares: X-Request-Id both ways, rate-limit headers on /v1 successes. */
function withCommonHeaders(paths: typeof PATHS): typeof PATHS {
  for (const [path, operations] of Object.entries(paths)) {
    for (const operation of Object.values(operations)) {
      operation.parameters = [...((operation.parameters as Json[] | undefined) ?? []), requestIdParameter];
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        const rateLimited = path.startsWith('/v1/') && status.startsWith('2') ? RATE_LIMIT_HEADERS : {};
        response.headers = { ...REQUEST_ID, ...rateLimited, ...((response.headers as Json | undefined) ?? {}) };
      }
    }
  }
  return paths;
}

let cached: Json | undefined;

export function openApiDocument(): Json {
  cached ??= {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
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
    paths: withCommonHeaders(PATHS),
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
