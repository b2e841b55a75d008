import { type ErrorCode, submitBatchJsonSchema, submitJsonSchema } from '@infer/contracts';
import { z } from 'zod';
import {
  binaryFile,
  cancelAfterHeader,
  errors,
  IDEMPOTENT_REPLAYED,
  idempotencyKeyHeader,
  jobIdParams,
  json,
  LOCATION,
  multipartForm,
  PREFERENCE_APPLIED,
  preferHeader,
  rawBodyQuery,
  ref,
  V1_ERRORS,
} from '../http/openapi-parts.ts';
import type { Operation } from '../http/operation.ts';
import { listQuerySchema } from './job-list.ts';

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
const rawImage = { ...binaryFile };
const submitHeaders = z.object({
  Prefer: preferHeader,
  'Idempotency-Key': idempotencyKeyHeader,
  'Cancel-After': cancelAfterHeader,
  'Content-Encoding': z
    .string()
    .describe('`gzip` or `deflate` for JSON and raw bodies; a multipart body cannot be encoded (`415`)')
    .optional(),
});

const cancel = (
  operationId: string,
  method: 'delete' | 'post',
  path: string,
): Operation<{ params: typeof jobIdParams }> => ({
  method,
  path,
  operationId,
  tags: ['jobs'],
  summary: 'Cancel a queued job (idempotent: a canceled job is answered again)',
  request: { params: jobIdParams },
  responses: {
    '200': { description: 'the canceled job', content: json(ref('JobView')) },
    ...errors('job_not_found', 'job_expired', 'job_not_cancelable', ...V1_ERRORS),
  },
});

/** The jobs API (jobs.route.ts registers each with its handler). */
export const JOBS_OPERATIONS = {
  submitJob: {
    method: 'post',
    path: '/v1/jobs',
    operationId: 'submitJob',
    tags: ['jobs'],
    summary: 'Submit an image for classification',
    description:
      'Queues a job and answers `202` at once. With `Prefer: wait=N` the answer waits for the job: ' +
      '`200` with the terminal job if it ends within N seconds, else `202` with its current state.',
    request: {
      query: rawBodyQuery,
      headers: submitHeaders,
      body: {
        required: true,
        content: {
          'multipart/form-data': multipartForm({ ...binaryFile, description: 'JPEG, PNG or WebP' }),
          'application/json': submitJsonSchema,
          'image/jpeg': rawImage,
          'image/png': rawImage,
          'image/webp': rawImage,
        },
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
        headers: { ...LOCATION('/v1/jobs/{id}'), ...PREFERENCE_APPLIED },
        content: json({ anyOf: [ref('JobAccepted'), ref('JobView')] }),
      },
      ...errors(...IMAGE_ERRORS, ...V1_ERRORS),
    },
  },
  submitBatch: {
    method: 'post',
    path: '/v1/jobs:batch',
    operationId: 'submitBatch',
    tags: ['jobs'],
    summary: 'Submit several images at once (all or nothing), one job each',
    request: {
      headers: submitHeaders.pick({ 'Idempotency-Key': true, 'Cancel-After': true, 'Content-Encoding': true }),
      body: {
        required: true,
        content: {
          'multipart/form-data': multipartForm({ type: 'array', items: binaryFile }),
          'application/json': submitBatchJsonSchema,
        },
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
  listJobs: {
    method: 'get',
    path: '/v1/jobs',
    operationId: 'listJobs',
    tags: ['jobs'],
    summary: "The caller's jobs, newest first, in cursor pages; an expired job leaves the list",
    request: { query: listQuerySchema },
    responses: {
      '200': { description: 'a page', content: json(ref('JobList')) },
      ...errors('invalid_request', ...V1_ERRORS),
    },
  },
  getJob: {
    method: 'get',
    path: '/v1/jobs/{id}',
    operationId: 'getJob',
    tags: ['jobs'],
    summary: 'Read a job (long-poll with `Prefer: wait=N`)',
    request: { params: jobIdParams, headers: z.object({ Prefer: preferHeader }) },
    responses: {
      '200': { description: 'the job', headers: PREFERENCE_APPLIED, content: json(ref('JobView')) },
      ...errors('job_not_found', 'job_expired', ...V1_ERRORS),
    },
  },
  cancelJob: cancel('cancelJob', 'delete', '/v1/jobs/{id}'),
  cancelJobPost: cancel('cancelJobPost', 'post', '/v1/jobs/{id}/cancel'),
} satisfies Record<string, Operation>;
