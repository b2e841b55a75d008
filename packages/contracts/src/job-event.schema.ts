import { z } from 'zod';

/** Message published on the job-events channel at every state change. */
export const jobEventMessageSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']),
});
export type JobEventMessage = z.infer<typeof jobEventMessageSchema>;
