import { z } from 'zod';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/**
 * `webhook` in `GET /v1/jobs/:id`: the delivery of the job's latest webhook
 * event, as the dispatcher last recorded it. Null when the job has no webhook_url.
 * Standalone (no imports of other schemas) because jobViewSchema embeds it.
 */
export const webhookStatusSchema = z.object({
  url: z.string(),
  events: z.array(z.string()),
  /** Latest event emitted for this job (null until the first one). */
  event: z.string().nullable(),
  /** The `webhook-id` header of that event: stable across retries and redeliveries. */
  event_id: z.string().nullable(),
  /** null until an event is emitted; pending while attempts go on; failed when dead-lettered. */
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).nullable(),
  /** Attempts of the current series (a redelivery starts a new series). */
  attempts: z.number().int().nonnegative(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
});
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;
