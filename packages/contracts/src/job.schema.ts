import { z } from 'zod';
import { webhookStatusSchema } from './webhook-status.schema.ts';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];
export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Why a queued job has not started: what users of hosted queues cannot otherwise tell apart. */
export const WAITING_REASONS = ['no_worker_for_model', 'model_loading', 'workers_busy', 'retry_backoff'] as const;
export type WaitingReason = (typeof WAITING_REASONS)[number];

export const predictionSchema = z.object({ label: z.string(), score: z.number() });
export type Prediction = z.infer<typeof predictionSchema>;

export const jobResultSchema = z.object({
  predictions: z.array(predictionSchema),
});
export type JobResult = z.infer<typeof jobResultSchema>;

export const jobErrorSchema = z.object({ code: z.string(), message: z.string() });
export type JobError = z.infer<typeof jobErrorSchema>;

export const jobTimingsSchema = z.object({
  queue_ms: z.number().nonnegative(),
  preprocess_ms: z.number().nonnegative(),
  inference_ms: z.number().nonnegative(),
  batch_size: z.number().int().positive(),
  /**
   * Set when the answer was reused (RESULT_CACHE_TTL_SECONDS): `hit`, stored from an earlier
   * job with the same image bytes and model version (no decode, no inference: their times are
   * 0); `shared`, the inference of an identical job running at the same time on this worker.
   */
  cache: z.enum(['hit', 'shared']).optional(),
});
export type JobTimings = z.infer<typeof jobTimingsSchema>;

/** What `GET /v1/jobs/:id` answers (and what webhooks carry). */
export const jobViewSchema = z.object({
  id: z.string(),
  status: jobStatusSchema,
  model: z.string(),
  model_version: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  result: jobResultSchema.nullable(),
  error: jobErrorSchema.nullable(),
  timings: jobTimingsSchema.nullable(),
  execution_provider: z.string().nullable(),
  /** Client priority 0..100, higher runs first. */
  priority: z.number().int(),
  /** The client's metadata object, echoed unchanged. */
  metadata: z.record(z.string(), z.unknown()).nullable(),
  /** Deadline from the Cancel-After header: still queued then means canceled (deadline_exceeded). */
  cancel_at: z.string().nullable(),
  /** 1 = next to run; null unless queued (or when the queue cannot tell, e.g. during a retry backoff). */
  queue_position: z.number().int().positive().nullable(),
  /** While queued: the expected wait from the model's recent throughput; null when unknown. */
  eta_ms: z.number().int().nonnegative().nullable(),
  /** While queued: why it has not started; null otherwise. */
  waiting_reason: z.enum(WAITING_REASONS).nullable(),
  /** Delivery of the latest webhook event; null when the job has no webhook_url. */
  webhook: webhookStatusSchema.nullable(),
  /** OpenTelemetry trace of the job (32 hex digits), to look it up in the tracing backend; null while tracing is off. */
  trace_id: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable()
    .meta({
      description:
        "The job's OpenTelemetry trace id (W3C, 32 hex digits): submission, processing and webhook delivery are one trace, which continues a `traceparent` the client sent. Null when the platform runs without tracing.",
    }),
});
export type JobView = z.infer<typeof jobViewSchema>;

/** The 202 answer to a submission. */
export const jobAcceptedSchema = jobViewSchema.pick({ id: true, status: true, model: true, created_at: true });
export type JobAccepted = z.infer<typeof jobAcceptedSchema>;
