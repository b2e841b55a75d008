import { AppError, JobNotFoundError, type JobView, type WebhookRedeliveryAccepted } from '@infer/contracts';
import type { RedeliveryOutcome, WebhookStore } from '@infer/job-store';
import { type Request, Router } from 'express';
import { errors, jobIdParams, json, ref, V1_ERRORS } from '../http/openapi-parts.ts';
import { addOperation, type Operation } from '../http/operation.ts';

export interface WebhooksRouteDeps {
  webhooks: WebhookStore;
  /** The job as its owner may see it (404 for anyone else), so redelivery follows the same access rule as GET. */
  read: (id: string, req: Request) => Promise<JobView>;
}

const REFUSALS: Record<Exclude<Extract<RedeliveryOutcome, { ok: false }>['reason'], 'not_found'>, string> = {
  no_webhook: 'the job was submitted without a webhook_url',
  not_terminal: 'the job has not finished yet: its terminal event will be delivered when it does',
  not_subscribed: "the job's final status is not among its webhook_events: there is no event to redeliver",
  pending: 'a delivery of this event is still in progress; see webhook.next_attempt_at',
};

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

export function webhooksRoute(deps: WebhooksRouteDeps): Router {
  const router = Router();

  addOperation(router, WEBHOOKS_OPERATIONS.redeliverWebhook, async (req, res) => {
    const id = String(req.params.id);
    await deps.read(id, req);
    const outcome = await deps.webhooks.requestRedelivery(id);
    if (!outcome.ok) {
      if (outcome.reason === 'not_found') throw new JobNotFoundError(id);
      throw new AppError('webhook_not_redeliverable', REFUSALS[outcome.reason], {
        details: { reason: outcome.reason },
      });
    }
    const body: WebhookRedeliveryAccepted = {
      job_id: id,
      event: outcome.type as WebhookRedeliveryAccepted['event'],
      event_id: outcome.eventId,
      delivery_id: outcome.deliveryId,
      status: 'pending',
    };
    res.status(202).json(body);
  });

  return router;
}
