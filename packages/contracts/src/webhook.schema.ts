import { z } from 'zod';
import { type JobStatus, jobViewSchema } from './job.schema.ts';
import { WEBHOOK_EVENTS, type WebhookEvent } from './submit.schema.ts';

/** The event a job emits when it enters a status (`job.started` only on the first start). */
export const WEBHOOK_EVENT_FOR_STATUS: Partial<Record<JobStatus, WebhookEvent>> = {
  running: 'job.started',
  succeeded: 'job.succeeded',
  failed: 'job.failed',
  canceled: 'job.canceled',
};

/**
 * The body POSTed to a webhook_url (Standard Webhooks payload shape): `data` is
 * the job as `GET /v1/jobs/:id` showed it when the event happened, without the
 * `webhook` delivery status. The same bytes are sent on every retry.
 */
export const webhookPayloadSchema = z.object({
  type: z.enum(WEBHOOK_EVENTS),
  /** When the event happened (ISO 8601), not when it was sent. */
  timestamp: z.string(),
  data: jobViewSchema.omit({ webhook: true }),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** 202 answer of `POST /v1/jobs/:id/webhook/redeliver`. */
export const webhookRedeliveryAcceptedSchema = z.object({
  job_id: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  /** Same `webhook-id` as the original delivery: receivers that deduplicate see a repeat. */
  event_id: z.string(),
  delivery_id: z.string(),
  status: z.literal('pending'),
});
export type WebhookRedeliveryAccepted = z.infer<typeof webhookRedeliveryAcceptedSchema>;
