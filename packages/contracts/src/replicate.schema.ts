import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type JobStatus, type JobView, jobResultSchema } from './job.schema.ts';
import { httpUrlSchema } from './submit.schema.ts';

/**
 * The Replicate-compatible view of jobs (`/v1/predictions`, `/v1/models/{owner}/{name}`,
 * `/v1/files`): the same jobs, shown as Replicate's clients expect them. A
 * prediction id is a job id. Shared by the API (answers) and the webhook
 * dispatcher (a prediction created here is delivered as a prediction).
 */

/** The owner our models appear under (`infer/plant-pathology`). */
export const REPLICATE_OWNER = 'infer';

export const PREDICTION_STATUSES = ['starting', 'processing', 'succeeded', 'failed', 'canceled'] as const;
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number];

const STATUS: Record<JobStatus, PredictionStatus> = {
  queued: 'starting',
  running: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
};
export const predictionStatusOf = (status: JobStatus): PredictionStatus => STATUS[status];

/** Replicate's webhook_events_filter values, and the job events each stands for. */
export const REPLICATE_WEBHOOK_EVENTS = {
  start: ['job.started'],
  output: [],
  logs: [],
  completed: ['job.succeeded', 'job.failed', 'job.canceled'],
} as const;

/** An opaque, stable version id per model version (Replicate's are 64 hex digits too). */
export const versionIdOf = (model: string, version: string): string =>
  createHash('sha256').update(`${model}:${version}`).digest('hex');

export const createPredictionSchema = z
  .object({
    version: z.string().min(1).max(200).optional(),
    input: z.object({ image: z.string().min(1) }).strict(),
    webhook: httpUrlSchema.optional(),
    webhook_events_filter: z
      .array(z.enum(Object.keys(REPLICATE_WEBHOOK_EVENTS) as [keyof typeof REPLICATE_WEBHOOK_EVENTS]))
      .min(1)
      .optional(),
    stream: z.boolean().optional(),
  })
  .strict();
export type CreatePrediction = z.infer<typeof createPredictionSchema>;

/** What `/v1/predictions/{id}` answers, and what a prediction's webhook carries. */
export const predictionViewSchema = z.object({
  id: z.string(),
  /** `infer/<model>`. */
  model: z.string(),
  /** The version id (see versionIdOf); null before a worker has picked the version. */
  version: z.string().nullable(),
  input: z.record(z.string(), z.unknown()),
  /** The job's result: `{ predictions: [{ label, score }] }`, null until it succeeds. */
  output: jobResultSchema.nullable(),
  logs: z.string(),
  /** `<code>: <message>` of the job's error. */
  error: z.string().nullable(),
  status: z.enum(PREDICTION_STATUSES),
  data_removed: z.boolean(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  urls: z.object({ get: z.string(), cancel: z.string() }),
  metrics: z.object({ predict_time: z.number().optional(), total_time: z.number().optional() }),
});
export type PredictionView = z.infer<typeof predictionViewSchema>;

export const predictionListSchema = z.object({
  previous: z.string().nullable(),
  /** The next page (absolute URL), null on the last. */
  next: z.string().nullable(),
  results: z.array(predictionViewSchema),
});

/** A model as Replicate's model object (owner `infer`); Replicate's `run_count` is not kept here. */
export const replicateModelSchema = z.object({
  url: z.string(),
  owner: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  visibility: z.literal('public'),
  github_url: z.null(),
  paper_url: z.null(),
  license_url: z.null(),
  cover_image_url: z.null(),
  default_example: z.null(),
  latest_version: z.object({ id: z.string(), created_at: z.null(), cog_version: z.null(), openapi_schema: z.null() }),
  versions: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ReplicateModel = z.infer<typeof replicateModelSchema>;

export const fileViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  content_type: z.string(),
  size: z.number().int(),
  checksums: z.object({ sha256: z.string() }),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  expires_at: z.string(),
  urls: z.object({ get: z.string(), download: z.string() }),
});

export const webhookSecretSchema = z.object({ key: z.string() });

/** How a job record remembers it was created as a prediction (hash fields, for the dispatcher too). */
export interface PredictionOrigin {
  /** The input as the client sent it (inline data shortened). */
  input: Record<string, unknown>;
  /** Scheme, host and port the client used: the base of `urls`. */
  baseUrl: string;
}

/** A job as a Replicate prediction. */
export function predictionOf(job: JobView, origin: PredictionOrigin): PredictionView {
  const get = `${origin.baseUrl}/v1/predictions/${job.id}`;
  const metrics: PredictionView['metrics'] = {};
  if (job.timings) metrics.predict_time = (job.timings.preprocess_ms + job.timings.inference_ms) / 1000;
  if (job.completed_at) metrics.total_time = (Date.parse(job.completed_at) - Date.parse(job.created_at)) / 1000;
  return {
    id: job.id,
    model: `${REPLICATE_OWNER}/${job.model}`,
    version: job.model_version ? versionIdOf(job.model, job.model_version) : null,
    input: origin.input,
    output: job.result,
    logs: logsOf(job),
    error: job.error ? `${job.error.code}: ${job.error.message}` : null,
    status: predictionStatusOf(job.status),
    data_removed: false,
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    urls: { get, cancel: `${get}/cancel` },
    metrics,
  };
}

/** What a Cog model would print: where the time went. */
function logsOf(job: JobView): string {
  const lines: string[] = [];
  if (job.queue_position) lines.push(`queued, position ${job.queue_position}`);
  if (job.timings) {
    const { queue_ms, preprocess_ms, inference_ms, batch_size } = job.timings;
    lines.push(
      `queued ${queue_ms} ms, preprocessed ${preprocess_ms} ms, inference ${inference_ms} ms (batch of ${batch_size})${job.execution_provider ? ` on ${job.execution_provider}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** Inline data in an echoed input is shortened: a 10 MB data URI would be stored and sent back on every read. */
export function echoedInput(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [
      key,
      typeof value === 'string' && value.startsWith('data:') && value.length > 100
        ? `${value.slice(0, value.indexOf(',') + 1)}… (${value.length} characters)`
        : value,
    ]),
  );
}
