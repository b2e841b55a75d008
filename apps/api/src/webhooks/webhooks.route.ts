import { AppError, JobNotFoundError, type JobView, type WebhookRedeliveryAccepted } from '@infer/contracts';
import type { RedeliveryOutcome, WebhookStore } from '@infer/job-store';
import type { Request } from 'express';
import { operationRoutes } from '../http/operation.ts';
import { WEBHOOKS_OPERATIONS } from './webhooks.operations.ts';

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

/** `POST /v1/jobs/:id/webhook/redeliver` (webhooks.operations.ts says what a redelivery is). */
export const webhooksRoutes = operationRoutes(WEBHOOKS_OPERATIONS, (deps: WebhooksRouteDeps) => ({
  redeliverWebhook: async ({ params }, req, res) => {
    const id = params.id;
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
  },
}));
