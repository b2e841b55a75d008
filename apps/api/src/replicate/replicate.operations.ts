import { createPredictionSchema, type ErrorCode } from '@infer/contracts';
import { z } from 'zod';
import {
  binaryFile,
  errors,
  json,
  LOCATION,
  PREFERENCE_APPLIED,
  preferHeader,
  ref,
  V1_ERRORS,
} from '../http/openapi-parts.ts';
import type { Operation, RequestSpec } from '../http/operation.ts';
import { pageQuerySchema } from '../jobs/job-list.ts';

const predictionParams = z.object({ id: z.string().min(1).describe('prediction id (= job id)') });
const modelParams = z.object({
  owner: z
    .string()
    .min(1)
    .meta({ examples: ['infer'] }),
  name: z
    .string()
    .min(1)
    .meta({ examples: ['plant-pathology'] }),
});
const fileParams = z.object({ id: z.string().min(1) });
const CREATE_ERRORS: ErrorCode[] = [
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

const createHeaders = z.object({ Prefer: preferHeader });

const create = <P extends z.ZodObject>(
  operationId: string,
  path: string,
  params?: P,
): Operation<{ params?: P; headers: typeof createHeaders; body: NonNullable<RequestSpec['body']> }> => ({
  method: 'post',
  path,
  operationId,
  tags: ['replicate'],
  summary: 'Create a prediction (a job), as Replicate does',
  description:
    '`input.image` is a data URI, a URL answered by `POST /v1/files`, or an http(s) URL. With `Prefer: wait`, the ' +
    'answer waits for the end; a prediction not finished by then is answered `starting`, so that blocking clients poll.',
  request: {
    ...(params ? { params } : {}),
    headers: createHeaders,
    body: { required: true, content: { 'application/json': createPredictionSchema } },
  },
  responses: {
    '201': {
      description: 'the prediction',
      headers: { ...LOCATION('its `urls.get`'), ...PREFERENCE_APPLIED },
      content: json(ref('Prediction')),
    },
    ...errors(...CREATE_ERRORS, ...V1_ERRORS),
  },
});

/** Replicate's API over the same jobs (replicate.route.ts registers each with its handler). */
export const REPLICATE_OPERATIONS = {
  createPrediction: create('createPrediction', '/v1/predictions'),
  createModelPrediction: create('createModelPrediction', '/v1/models/{owner}/{name}/predictions', modelParams),
  listPredictions: {
    method: 'get',
    path: '/v1/predictions',
    operationId: 'listPredictions',
    tags: ['replicate'],
    summary: "The caller's predictions, newest first, in cursor pages",
    request: { query: pageQuerySchema },
    responses: {
      '200': { description: 'a page', content: json(ref('PredictionList')) },
      ...errors('invalid_request', ...V1_ERRORS),
    },
  },
  getPrediction: {
    method: 'get',
    path: '/v1/predictions/{id}',
    operationId: 'getPrediction',
    tags: ['replicate'],
    summary: 'A prediction',
    request: { params: predictionParams },
    responses: {
      '200': { description: 'the prediction', content: json(ref('Prediction')) },
      ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
    },
  },
  cancelPrediction: {
    method: 'post',
    path: '/v1/predictions/{id}/cancel',
    operationId: 'cancelPrediction',
    tags: ['replicate'],
    summary: 'Cancel a prediction still queued; one that already ran is answered as it is',
    request: { params: predictionParams },
    responses: {
      '200': { description: 'the prediction', content: json(ref('Prediction')) },
      ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
    },
  },
  getReplicateModel: {
    method: 'get',
    path: '/v1/models/{owner}/{name}',
    operationId: 'getReplicateModel',
    tags: ['replicate'],
    summary: 'A model as Replicate describes one (owner `infer`)',
    request: { params: modelParams },
    responses: {
      '200': { description: 'the model', content: json(ref('ReplicateModel')) },
      ...errors('model_not_found', ...V1_ERRORS),
    },
  },
  getWebhookSecret: {
    method: 'get',
    path: '/v1/webhooks/default/secret',
    operationId: 'getWebhookSecret',
    tags: ['replicate'],
    summary: 'The key webhook deliveries are signed with (when the API is given WEBHOOK_SECRET)',
    responses: {
      '200': { description: 'the signing key', content: json(ref('WebhookSecret')) },
      ...errors('webhook_secret_not_configured', ...V1_ERRORS),
    },
  },
  createFile: {
    method: 'post',
    path: '/v1/files',
    operationId: 'createFile',
    tags: ['replicate'],
    summary: 'Upload a file to name as a prediction input (`urls.get`)',
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            type: 'object',
            required: ['content'],
            properties: { content: binaryFile, metadata: { type: 'string', description: 'JSON object' } },
          },
        },
      },
    },
    responses: {
      '201': { description: 'the file', content: json(ref('File')) },
      ...errors('missing_image', 'invalid_request', 'payload_too_large', ...V1_ERRORS),
    },
  },
  getFile: {
    method: 'get',
    path: '/v1/files/{id}',
    operationId: 'getFile',
    tags: ['replicate'],
    summary: "An uploaded file's description",
    request: { params: fileParams },
    responses: {
      '200': { description: 'the file', content: json(ref('File')) },
      ...errors('file_not_found', ...V1_ERRORS),
    },
  },
  downloadFile: {
    method: 'get',
    path: '/v1/files/{id}/download',
    operationId: 'downloadFile',
    tags: ['replicate'],
    summary: "An uploaded file's bytes",
    request: { params: fileParams },
    responses: {
      '200': { description: 'the bytes', content: { 'application/octet-stream': { schema: binaryFile } } },
      ...errors('file_not_found', ...V1_ERRORS),
    },
  },
  deleteFile: {
    method: 'delete',
    path: '/v1/files/{id}',
    operationId: 'deleteFile',
    tags: ['replicate'],
    summary: 'Delete an uploaded file',
    request: { params: fileParams },
    responses: { '204': { description: 'deleted' }, ...errors('file_not_found', ...V1_ERRORS) },
  },
} satisfies Record<string, Operation>;
