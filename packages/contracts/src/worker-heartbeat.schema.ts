import { z } from 'zod';

/** Where a worker is in its life: loading its models, taking jobs, or handing them back at shutdown. */
export const WORKER_STATES = ['loading', 'ready', 'draining'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

/** What a worker writes to Redis every few seconds; the API's readiness and /v1/models read it. */
export const workerHeartbeatSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  pid: z.number().int(),
  models: z.array(
    z.object({
      name: z.string(),
      versions: z.array(z.string()),
      /** Batch size cap per version, as this worker chose it (BATCH_AUTOTUNE) or its MAX_BATCH_SIZE. */
      batch_limits: z.record(z.string(), z.number().int().positive()).default({}),
      /** Versions being loaded (load checks, warm-up): not served yet. */
      loading_versions: z.array(z.string()).default([]),
      /** Versions that failed their load checks or warm-up, with the reason: never served. */
      failed_versions: z.record(z.string(), z.string()).default({}),
    }),
  ),
  execution_provider: z.string(),
  started_at: z.string(),
  seen_at: z.string(),
  // Defaults: heartbeats of workers older than these fields were ready whenever they beat.
  state: z.enum(WORKER_STATES).default('ready'),
  /** Jobs finished per second over the last minute, per model. */
  throughput: z.record(z.string(), z.number().nonnegative()).default({}),
});
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;
