import { WEBHOOK_EVENTS } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import { bullmqTelemetry } from '@infer/telemetry';
import { type BackoffOptions, type BackoffStrategy, type JobsOptions, type Processor, Worker } from 'bullmq';
import { z } from 'zod';
import { STALLED_CHECK_MS } from './dead-worker-reclaim.ts';

/**
 * The `webhooks` queue: the outbox relay (producer) adds one delivery job per
 * event, apps/webhook-dispatcher's delivery worker (consumer) sends it. Both
 * take name, payload and options from here. Its name is a hash tag: one Redis Cluster slot,
 * as BullMQ needs (a queue's scripts use many of its keys at once).
 */
export const WEBHOOK_QUEUE_NAME = '{webhooks}';
export const WEBHOOK_JOB_NAME = 'deliver';

/** What one delivery job carries: the frozen body, so that retries send the same bytes. */
export const webhookDeliveryJobDataSchema = z.object({
  /** BullMQ job id: the event id for the first series, `<event id>.r<n>` for redeliveries. */
  deliveryId: z.string().min(1),
  /** Sent as `webhook-id`. */
  eventId: z.string().min(1),
  jobId: z.string().min(1),
  type: z.enum(WEBHOOK_EVENTS),
  /** Event time, epoch ms (for the delivery latency metric). */
  occurredAt: z.number().int().nonnegative(),
  url: z.string().min(1),
  body: z.string(),
});
export type WebhookDeliveryJobData = z.infer<typeof webhookDeliveryJobDataSchema>;

/** How long finished deliveries stay in BullMQ: completed ones also deduplicate relays (jobId = delivery id). */
const KEEP_COMPLETED_SECONDS = 7 * 86_400;
const KEEP_FAILED_SECONDS = 30 * 86_400;

/**
 * Add options of a delivery: its BullMQ id is the delivery id, so a relay replayed after a crash
 * adds nothing twice. Attempts and backoff are the dispatcher's retry schedule.
 */
export function webhookDeliveryOptions(delivery: {
  deliveryId: string;
  attempts: number;
  backoff: BackoffOptions;
}): JobsOptions {
  return {
    jobId: delivery.deliveryId,
    attempts: delivery.attempts,
    backoff: delivery.backoff,
    removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
    removeOnFail: { age: KEEP_FAILED_SECONDS },
  };
}

export interface WebhookWorkerOptions {
  prefix: string;
  concurrency: number;
  /** Longest single attempt: the lock must outlast it. */
  timeoutMs: number;
  /** The custom backoff strategy named by the deliveries' `backoff` option (the dispatcher's retry schedule). */
  backoffStrategy: BackoffStrategy;
}

/** The BullMQ worker of the `webhooks` queue, created paused. */
export function createWebhookWorker(
  connection: RedisClient,
  processor: Processor,
  options: WebhookWorkerOptions,
): Worker {
  return new Worker(WEBHOOK_QUEUE_NAME, processor, {
    connection,
    prefix: options.prefix,
    autorun: false,
    concurrency: options.concurrency,
    lockDuration: Math.max(30_000, options.timeoutMs * 3),
    // A dead dispatcher's deliveries, their locks reclaimed (dead-worker-reclaim.ts), are requeued soon.
    stalledInterval: STALLED_CHECK_MS,
    // A dispatcher killed mid-attempt hands the delivery back; never drop it for stalling.
    maxStalledCount: 100,
    removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
    removeOnFail: { age: KEEP_FAILED_SECONDS },
    settings: { backoffStrategy: options.backoffStrategy },
    // Tracing on: each delivery's `process` span continues the trace of its job.
    telemetry: bullmqTelemetry(),
  });
}
