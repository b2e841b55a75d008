import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors.ts';
import { jobViewSchema } from './job.schema.ts';
import { modelRoutingSchema } from './model-routing.schema.ts';
import { replicateModelSchema } from './replicate.schema.ts';

/** Every API error body: `{ "error": { "code", "message", "details"? } }` (documented in /openapi.json). */
export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
        message: z.string(),
        details: z.unknown().optional(),
      })
      .strict(),
  })
  .strict();

/** `GET /healthz`: the process answers. */
export const healthSchema = z.object({ status: z.literal('ok') }).strict();

/** `GET /readyz`: 200 `ready` or 503 `not_ready`, with what was checked. */
export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ redis: z.boolean(), workers: z.number().int().nonnegative() }),
  })
  .strict();
export type Readiness = z.infer<typeof readinessSchema>;

/** One entry of `GET /v1/models` (and the answer of `GET /v1/models/:name`). */
export const modelViewSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    labels: z.array(z.string()),
    input: z.object({
      width: z.number().int(),
      height: z.number().int(),
      layout: z.string(),
      color_order: z.string(),
      resize: z.string(),
    }),
    output: z.object({ activation: z.string() }),
    versions: z.array(z.string()),
    /** What a job without `version` runs. */
    default_version: z.string(),
    max_batch_size: z.number().int(),
    /** The batch size cap live workers chose for the default version (BATCH_AUTOTUNE), the largest if they differ; null while none reports one. */
    batch_size_limit: z.number().int().positive().nullable(),
    /** Live workers serving the model (heartbeat within WORKER_HEARTBEAT_TTL_MS). */
    workers: z.number().int().nonnegative(),
    live_versions: z.array(z.string()),
    /** False while no worker serves it: jobs are still accepted and wait in its queue. */
    available: z.boolean(),
    /** Workers started for it that are still loading it (not yet taking jobs). */
    loading_workers: z.number().int().nonnegative(),
    /** Jobs per second its ready workers finished over the last minute. */
    throughput_per_second: z.number().nonnegative(),
    /** Versions live workers are loading now (load checks, warm-up): not served yet. */
    loading_versions: z.array(z.string()),
    /** Versions a live worker could not load, with its reason: never served. */
    failed_versions: z.record(z.string(), z.string()),
    /** The routing policy; null: the newest version serves unpinned jobs. */
    routing: modelRoutingSchema.nullable(),
  })
  .strict();
/**
 * `GET /v1/models`: our `models`, and in the same answer Replicate's page of models
 * (`results`, `next`, `previous`), so that Replicate's `models.list()` reads it too.
 * Every model is in the one page: `next` and `previous` are null.
 */
export const modelListSchema = z
  .object({
    models: z.array(modelViewSchema),
    results: z.array(replicateModelSchema),
    next: z.null(),
    previous: z.null(),
  })
  .strict();

/** `GET /v1/jobs`: a page of the caller's jobs, newest first. */
export const jobListSchema = z.object({ jobs: z.array(jobViewSchema), next_cursor: z.string().nullable() }).strict();
