import { z } from 'zod';

/** Name of the BullMQ job inside an inference queue. */
export const JOB_NAMES = { infer: 'infer' } as const;

/**
 * One queue per model, so that worker pools (and their GPUs) can be sized and
 * autoscaled per model. BullMQ forbids ':' in queue names.
 */
export const inferenceQueueName = (model: string): string => `inference.${model}`;

/**
 * What a BullMQ job carries. Deliberately small: the image bytes are stored once
 * as a binary Redis value next to the job record, never inside job data (JSON
 * would inflate them several times).
 */
export const inferenceJobDataSchema = z.object({
  jobId: z.string().min(1),
  model: z.string().min(1),
  version: z.string().min(1).optional(),
  requestId: z.string().min(1).optional(),
  enqueuedAt: z.number().int().nonnegative(),
  /** Epoch ms from Cancel-After: a worker must not start the job after it. */
  cancelAt: z.number().int().nonnegative().optional(),
});
export type InferenceJobData = z.infer<typeof inferenceJobDataSchema>;

/** Message published on the job-events channel at every state change. */
export const jobEventMessageSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']),
});
export type JobEventMessage = z.infer<typeof jobEventMessageSchema>;
