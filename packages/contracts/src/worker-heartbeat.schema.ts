import { z } from 'zod';

/** What a worker writes to Redis every few seconds; the API's readiness and /v1/models read it. */
export const workerHeartbeatSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  pid: z.number().int(),
  models: z.array(z.object({ name: z.string(), versions: z.array(z.string()) })),
  execution_provider: z.string(),
  started_at: z.string(),
  seen_at: z.string(),
});
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;
