import { errors, jobIdParams, json, ref, V1_ERRORS } from '../http/openapi-parts.ts';
import type { Operation } from '../http/operation.ts';

/**
 * `POST /v1/jobs/:id/webhook/redeliver`: send the job's terminal event again, as
 * a new series of attempts with the full retry schedule. The event keeps its
 * `webhook-id` and body (Stripe and Svix resend the same way), so a receiver
 * that deduplicates by id must drop its record of the id to process it again.
 */
export const WEBHOOKS_OPERATIONS = {
  redeliverWebhook: {
    method: 'post',
    path: '/v1/jobs/{id}/webhook/redeliver',
    operationId: 'redeliverWebhook',
    tags: ['webhooks'],
    summary: "Send a finished job's webhook event again (same webhook-id and body, a new series of attempts)",
    request: { params: jobIdParams },
    responses: {
      '202': { description: 'redelivery queued', content: json(ref('WebhookRedeliveryAccepted')) },
      ...errors('job_not_found', 'job_expired', 'webhook_not_redeliverable', ...V1_ERRORS),
    },
  },
} satisfies Record<string, Operation>;
