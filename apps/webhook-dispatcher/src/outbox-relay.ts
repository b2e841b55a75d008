import {
  type PredictionOrigin,
  predictionOf,
  WEBHOOK_EVENTS,
  type WebhookEvent,
  type WebhookPayload,
} from '@infer/contracts';
import {
  jobViewFromHash,
  type OutboxEvent,
  parseOutboxEntry,
  predictionOriginOf,
  type RedisKeys,
  traceparentOfHash,
} from '@infer/job-store';
import type { Logger } from '@infer/logger';
import { WEBHOOK_JOB_NAME, type WebhookDeliveryJobData, webhookDeliveryOptions } from '@infer/queues';
import { withTraceparent } from '@infer/telemetry';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DispatcherMetrics } from './dispatcher-metrics.ts';
import type { RetrySchedule } from './retry-policy.ts';

export const RELAY_GROUP = 'relay';

export interface OutboxRelayOptions {
  /** Unique per process: pending entries are tracked per consumer. */
  consumer: string;
  /** Attempts and backoff of each delivery series. */
  retry: Pick<RetrySchedule, 'attempts' | 'backoff'>;
  /** An entry read by a relay that has not acknowledged it for this long is taken over (that relay died). */
  claimIdleMs?: number;
  blockMs?: number;
  batch?: number;
}

/**
 * Moves events from the outbox stream (written atomically with job state
 * changes) into the durable `webhooks` queue. Consumer group semantics make it
 * safe with several dispatchers; an entry is acknowledged and deleted only after
 * the queue holds its delivery, whose BullMQ job id is the delivery id, so a
 * relay that crashes in between and is replayed adds nothing twice.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private readonly batch: number;

  /** Dedicated connection: XREADGROUP BLOCK holds it. */
  private readonly blocking: Redis;
  private readonly client: Redis;
  private readonly queue: Queue;
  private readonly keys: RedisKeys;
  private readonly logger: Logger;
  private readonly metrics: DispatcherMetrics;
  private readonly options: OutboxRelayOptions;

  constructor(
    blocking: Redis,
    client: Redis,
    queue: Queue,
    keys: RedisKeys,
    logger: Logger,
    metrics: DispatcherMetrics,
    options: OutboxRelayOptions,
  ) {
    this.blocking = blocking;
    this.client = client;
    this.queue = queue;
    this.keys = keys;
    this.logger = logger;
    this.metrics = metrics;
    this.options = options;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.blockMs = options.blockMs ?? 1000;
    this.batch = options.batch ?? 100;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    try {
      // From the stream's start: events written while no dispatcher ever ran are relayed too.
      await this.client.xgroup('CREATE', this.keys.webhookOutbox, RELAY_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    // Leave no idle consumer behind when nothing is pending for it.
    const pending = (await this.client.xpending(
      this.keys.webhookOutbox,
      RELAY_GROUP,
      '-',
      '+',
      1,
      this.options.consumer,
    )) as unknown[];
    if (pending.length === 0) {
      await this.client.xgroup('DELCONSUMER', this.keys.webhookOutbox, RELAY_GROUP, this.options.consumer);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (Date.now() - this.lastClaim >= Math.min(this.claimIdleMs, 10_000)) {
          this.lastClaim = Date.now();
          await this.claimAbandoned();
        }
        const reply = (await this.blocking.xreadgroup(
          'GROUP',
          RELAY_GROUP,
          this.options.consumer,
          'COUNT',
          this.batch,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.keys.webhookOutbox,
          '>',
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) await this.relayAll(entries);
      } catch (error) {
        if (!this.running) break;
        this.logger.warn({ err: error }, 'outbox relay failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** Entries another relay read but never acknowledged (it crashed): take them over. */
  private async claimAbandoned(): Promise<void> {
    let cursor = '0-0';
    do {
      const reply = (await this.client.xautoclaim(
        this.keys.webhookOutbox,
        RELAY_GROUP,
        this.options.consumer,
        this.claimIdleMs,
        cursor,
        'COUNT',
        this.batch,
      )) as [string, [string, string[]][], ...unknown[]];
      cursor = reply[0];
      const entries = reply[1].filter((entry) => entry !== null && Array.isArray(entry[1]));
      if (entries.length > 0) this.logger.info({ count: entries.length }, 'taking over outbox entries of a dead relay');
      await this.relayAll(entries);
    } while (cursor !== '0-0' && this.running);
  }

  private async relayAll(entries: [string, string[]][]): Promise<void> {
    for (const [streamId, flat] of entries) {
      const event = parseOutboxEntry(streamId, flat);
      try {
        const data = deliveryJobData(event);
        // In the job's trace: the delivery's `add` span, and so its `process` span, join it.
        await withTraceparent(traceparentOfHash(event.snapshot), () =>
          this.queue.add(
            WEBHOOK_JOB_NAME,
            data,
            webhookDeliveryOptions({
              deliveryId: data.deliveryId,
              attempts: this.options.retry.attempts,
              backoff: this.options.retry.backoff,
            }),
          ),
        );
        this.metrics.relayed.inc({ type: data.type });
      } catch (error) {
        if (!(error instanceof MalformedEventError)) throw error; // Redis trouble: the entry stays pending
        this.logger.error({ err: error, streamId, fields: flat }, 'malformed outbox entry dropped');
      }
      await this.client
        .multi()
        .xack(this.keys.webhookOutbox, RELAY_GROUP, streamId)
        .xdel(this.keys.webhookOutbox, streamId)
        .exec();
    }
  }
}

class MalformedEventError extends Error {}

/** The frozen delivery: body built once from the snapshot taken at the event, sent unchanged on every attempt. */
export function deliveryJobData(event: OutboxEvent): WebhookDeliveryJobData {
  if (!event.eventId || !event.deliveryId || !event.jobId || !event.url) {
    throw new MalformedEventError('outbox entry lacks an id, job id or url');
  }
  if (!(WEBHOOK_EVENTS as readonly string[]).includes(event.type)) {
    throw new MalformedEventError(`unknown event type "${event.type}"`);
  }
  let data: WebhookPayload['data'];
  let origin: PredictionOrigin | undefined;
  try {
    const { webhook: _delivery, ...view } = jobViewFromHash(event.snapshot);
    data = view;
    origin = predictionOriginOf(event.snapshot);
  } catch (error) {
    throw new MalformedEventError(`unreadable job snapshot: ${(error as Error).message}`);
  }
  const type = event.type as WebhookEvent;
  // A job created as a Replicate prediction is delivered as Replicate does: the prediction itself.
  const body = origin
    ? predictionOf({ ...data, webhook: null }, origin)
    : ({ type, timestamp: event.timestamp, data } satisfies WebhookPayload);
  const occurredAt = Date.parse(event.timestamp);
  return {
    deliveryId: event.deliveryId,
    eventId: event.eventId,
    jobId: event.jobId,
    type,
    occurredAt: Number.isNaN(occurredAt) ? Date.now() : occurredAt,
    url: event.url,
    body: JSON.stringify(body),
  };
}
