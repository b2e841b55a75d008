import { WEBHOOK_QUEUE } from '@infer/contracts';
import { type Processor, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryRetry } from './delivery.processor.ts';
import { retryDelay } from './retry-policy.ts';

/** Name of our BullMQ custom backoff (job option `backoff: { type }`). */
export const WEBHOOK_BACKOFF = 'webhook-schedule';

/** How long finished deliveries stay in BullMQ: completed ones also deduplicate relays (jobId = delivery id). */
export const KEEP_COMPLETED_SECONDS = 7 * 86_400;
export const KEEP_FAILED_SECONDS = 30 * 86_400;

export interface DeliveryWorkerOptions {
  prefix: string;
  concurrency: number;
  timeoutMs: number;
  schedule: readonly number[];
}

/**
 * The BullMQ worker of the `webhooks` queue. Its backoff strategy takes the
 * delay the processor chose (schedule + jitter, or Retry-After), so BullMQ's
 * delayed set holds each retry durably across dispatcher restarts.
 */
export function createDeliveryWorker(connection: Redis, processor: Processor, options: DeliveryWorkerOptions): Worker {
  return new Worker(WEBHOOK_QUEUE, processor, {
    connection,
    prefix: options.prefix,
    autorun: false,
    concurrency: options.concurrency,
    // An attempt never outlives its timeout by much; the lock must outlast it.
    lockDuration: Math.max(30_000, options.timeoutMs * 3),
    // A dispatcher killed mid-attempt hands the delivery back; never drop it for stalling.
    maxStalledCount: 100,
    removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
    removeOnFail: { age: KEEP_FAILED_SECONDS },
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
        error instanceof DeliveryRetry ? error.delayMs : retryDelay(options.schedule, attemptsMade),
    },
  });
}
