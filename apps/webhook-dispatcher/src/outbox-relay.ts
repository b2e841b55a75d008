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
import type { RedisClient } from '@infer/redis';
import { withTraceparent } from '@infer/telemetry';
import type { Queue } from 'bullmq';
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
  /** Every shard's outbox is read at least this often, woken or not. */
  blockMs?: number;
  batch?: number;
}

/**
 * Moves events from the outbox streams (one per job-store shard, written atomically with
 * job state changes) into the durable `webhooks` queue. Consumer group semantics make it
 * safe with several dispatchers; an entry is acknowledged and deleted only after the queue
 * holds its delivery, whose BullMQ job id is the delivery id, so a relay that crashes in
 * between and is replayed adds nothing twice.
 *
 * Reading: no one blocking XREADGROUP can watch every shard (on a Cluster the streams are in
 * different slots, and a blocked read holds its connection), so each shard is read without
 * blocking when its wake-up arrives (the script that appends an event SPUBLISHes the shard's
 * `outboxWake` channel) and, in case a wake-up was lost, every `blockMs` anyway.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private lastPoll = 0;
  /** Shards woken since their last read. */
  private readonly due = new Set<number>();
  private wakeUp: (() => void) | undefined;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private readonly batch: number;

  /** Subscriber connection for the shards' wake-up channels (sharded pub/sub). */
  private readonly wake: RedisClient;
  private readonly client: RedisClient;
  private readonly queue: Queue;
  private readonly keys: RedisKeys;
  private readonly logger: Logger;
  private readonly metrics: DispatcherMetrics;
  private readonly options: OutboxRelayOptions;

  constructor(
    wake: RedisClient,
    client: RedisClient,
    queue: Queue,
    keys: RedisKeys,
    logger: Logger,
    metrics: DispatcherMetrics,
    options: OutboxRelayOptions,
  ) {
    this.wake = wake;
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
    await Promise.all(
      this.keys.shards.map(async ({ webhookOutbox }) => {
        try {
          // From the stream's start: events written while no dispatcher ever ran are relayed too.
          await this.client.xgroup('CREATE', webhookOutbox, RELAY_GROUP, '0', 'MKSTREAM');
        } catch (error) {
          if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
        }
      }),
    );
    const shardOfWake = new Map(this.keys.shards.map(({ outboxWake }, shard) => [outboxWake, shard]));
    this.wake.on('smessage', (channel: string) => {
      const shard = shardOfWake.get(channel);
      if (shard === undefined) return;
      this.due.add(shard);
      this.wakeUp?.();
    });
    await Promise.all([...shardOfWake.keys()].map((channel) => this.wake.ssubscribe(channel)));
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await this.wake.sunsubscribe().catch(() => undefined);
    // Leave no idle consumer behind where nothing is pending for it.
    await Promise.all(
      this.keys.shards.map(async ({ webhookOutbox }) => {
        const pending = (await this.client.xpending(
          webhookOutbox,
          RELAY_GROUP,
          '-',
          '+',
          1,
          this.options.consumer,
        )) as unknown[];
        if (pending.length === 0)
          await this.client.xgroup('DELCONSUMER', webhookOutbox, RELAY_GROUP, this.options.consumer);
      }),
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (Date.now() - this.lastClaim >= Math.min(this.claimIdleMs, 10_000)) {
          this.lastClaim = Date.now();
          for (const shard of this.keys.shards.keys()) await this.claimAbandoned(shard);
        }
        if (Date.now() - this.lastPoll >= this.blockMs) {
          this.lastPoll = Date.now();
          for (const shard of this.keys.shards.keys()) this.due.add(shard);
        }
        if (this.due.size === 0) {
          await this.sleep(this.blockMs - (Date.now() - this.lastPoll));
          continue;
        }
        const shards = [...this.due];
        this.due.clear();
        await Promise.all(shards.map((shard) => this.readShard(shard)));
      } catch (error) {
        if (!this.running) break;
        this.logger.warn({ err: error }, 'outbox relay failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /** Until a wake-up, `ms` or stop, whichever comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakeUp = done;
    });
  }

  /** New entries of one shard's outbox; a full batch leaves the shard due for another read at once. */
  private async readShard(shard: number): Promise<void> {
    const outbox = this.keys.shard(shard).webhookOutbox;
    const reply = (await this.client.xreadgroup(
      'GROUP',
      RELAY_GROUP,
      this.options.consumer,
      'COUNT',
      this.batch,
      'STREAMS',
      outbox,
      '>',
    )) as [string, [string, string[]][]][] | null;
    for (const [, entries] of reply ?? []) {
      await this.relayAll(outbox, entries);
      if (entries.length >= this.batch) this.due.add(shard);
    }
  }

  /** Entries another relay read but never acknowledged (it crashed): take them over. */
  private async claimAbandoned(shard: number): Promise<void> {
    const outbox = this.keys.shard(shard).webhookOutbox;
    let cursor = '0-0';
    do {
      const reply = (await this.client.xautoclaim(
        outbox,
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
      await this.relayAll(outbox, entries);
    } while (cursor !== '0-0' && this.running);
  }

  private async relayAll(outbox: string, entries: [string, string[]][]): Promise<void> {
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
      await this.client.multi().xack(outbox, RELAY_GROUP, streamId).xdel(outbox, streamId).exec();
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
