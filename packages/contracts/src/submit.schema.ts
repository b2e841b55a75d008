import { z } from 'zod';
import { jobAcceptedSchema } from './job.schema.ts';
import { pathDeeperThan } from './json-depth.ts';

/** Client priority: higher runs first; jobs of equal priority run in submission order. */
export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 100;
/** Largest `metadata` object, measured as its JSON serialization in UTF-8. */
export const MAX_METADATA_BYTES = 4096;
/** Deepest nesting inside `metadata` (the object itself is level 1). */
export const MAX_METADATA_DEPTH = 16;

export const WEBHOOK_EVENTS = ['job.started', 'job.succeeded', 'job.failed', 'job.canceled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Events delivered when a submission names a webhook_url but no webhook_events. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['job.succeeded', 'job.failed', 'job.canceled'];

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

export const httpUrlSchema = z.string().max(2048).refine(isHttpUrl, 'must be an absolute http:// or https:// URL');

export const metadataSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  // Depth first: JSON.stringify recurses and would overflow the stack on hostile nesting.
  if (pathDeeperThan(value, MAX_METADATA_DEPTH)) {
    context.addIssue({ code: 'custom', message: `must nest at most ${MAX_METADATA_DEPTH} levels deep` });
  } else if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
    context.addIssue({ code: 'custom', message: `must serialize to at most ${MAX_METADATA_BYTES} bytes of JSON` });
  }
});

/** Options shared by every form of submission (JSON body, multipart fields, query string). */
export const submitOptionsSchema = z.object({
  model: z.string().min(1).max(64).optional(),
  version: z.string().min(1).max(32).optional(),
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).optional(),
  metadata: metadataSchema.optional(),
  webhook_url: httpUrlSchema.optional(),
  webhook_events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).optional(),
});
export type SubmitOptions = z.infer<typeof submitOptionsSchema>;

/** Exactly one of these names the image (checked by the API, which names the offending field). */
export const imageSourceSchema = z.object({
  image_base64: z.string().min(1).optional(),
  image_url: httpUrlSchema.optional(),
});

/** `POST /v1/jobs` with `Content-Type: application/json`. Unknown fields are refused. */
export const submitJsonSchema = submitOptionsSchema.extend(imageSourceSchema.shape).strict();
export type SubmitJson = z.infer<typeof submitJsonSchema>;

/** `POST /v1/jobs:batch` with `Content-Type: application/json`. */
export const batchItemSchema = imageSourceSchema.extend({ metadata: metadataSchema.optional() }).strict();
export const submitBatchJsonSchema = submitOptionsSchema.extend({ images: z.array(batchItemSchema).min(1) }).strict();
export type SubmitBatchJson = z.infer<typeof submitBatchJsonSchema>;

/** The 202 answer to a batch: one accepted job per image, in request order. */
export const batchAcceptedSchema = z.object({ jobs: z.array(jobAcceptedSchema) });
export type BatchAccepted = z.infer<typeof batchAcceptedSchema>;
