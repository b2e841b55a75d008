import { createHash } from 'node:crypto';
import type { RedisClient } from '@infer/redis';
import { type RedisKeys, redisKeys } from './keys.ts';
import { type AttemptRecord, attemptFieldsOf } from './record/job-record.ts';
import { REDELIVERY_REFUSALS, type RedeliveryRefusal, SCRIPT_REPLY } from './scripts/reply-codes.ts';
import { type ScriptCommands, scriptsOf } from './scripts/scripts.ts';

/**
 * Id of a job's webhook event, sent as `webhook-id` (Standard Webhooks' `msg_` style): derived
 * from the job and the status it entered, so the one event of that change keeps one id however
 * often it is emitted. A job enters each status that emits (started, and one terminal status)
 * once; but a failover that loses the primary's last writes (replication is asynchronous: a
 * worker's transition is not WAITed for) can make the worker apply the change again after the
 * first event was already relayed and delivered. With a random id per emission the receiver got
 * two webhook-ids for one job (seen once in the Sentinel fault scenario); with this one it gets the
 * same id twice, which Standard Webhooks receivers drop, and BullMQ adds no second delivery job
 * while the first is still kept.
 */
export const webhookEventIdOf = (jobId: string, status: string): string =>
  `msg_${createHash('sha256').update(`${jobId}:${status}`).digest('hex').slice(0, 32)}`;

/** One entry of the outbox stream, as the transition or redelivery script wrote it. */
export interface OutboxEvent {
  /** Stream entry id (for XACK/XDEL). */
  streamId: string;
  eventId: string;
  deliveryId: string;
  type: string;
  jobId: string;
  timestamp: string;
  url: string;
  /** Job hash fields at the event. */
  snapshot: Record<string, string>;
}

export function parseOutboxEntry(streamId: string, flat: string[]): OutboxEvent {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  // cjson encodes an empty Lua table as {} and strings as strings: a flat string map.
  const snapshot = JSON.parse(fields.snapshot ?? '{}') as Record<string, string>;
  return {
    streamId,
    eventId: fields.event_id ?? '',
    deliveryId: fields.delivery_id ?? fields.event_id ?? '',
    type: fields.type ?? '',
    jobId: fields.job_id ?? '',
    timestamp: fields.timestamp ?? '',
    url: fields.url ?? '',
    snapshot,
  };
}

export type RedeliveryOutcome =
  | { ok: true; type: string; eventId: string; deliveryId: string }
  | { ok: false; reason: RedeliveryRefusal };

export interface DeadLetter {
  deliveryId: string;
  eventId: string;
  jobId: string;
  type: string;
  url: string;
  attempts: number;
  statusCode?: number | undefined;
  error?: string | undefined;
}

/** Webhook state next to the job records: redelivery requests, attempt records, dead letters. */
export class WebhookStore {
  readonly keys: RedisKeys;
  private readonly scripts: ScriptCommands;

  private readonly redis: RedisClient;
  private readonly deadLetterMax: number;

  constructor(redis: RedisClient, prefix: string | RedisKeys, deadLetterMax = 10_000) {
    this.redis = redis;
    this.deadLetterMax = deadLetterMax;
    this.keys = typeof prefix === 'string' ? redisKeys(prefix) : prefix;
    this.scripts = scriptsOf(redis);
  }

  /** A new delivery series of the job's terminal event (same webhook-id and body). */
  async requestRedelivery(jobId: string): Promise<RedeliveryOutcome> {
    const [code, type, eventId, deliveryId] = await this.scripts.redeliverWebhook(
      this.keys.job(jobId),
      this.keys.shardOf(jobId).webhookOutbox,
    );
    if (code === SCRIPT_REPLY.ok)
      return { ok: true, type: type ?? '', eventId: eventId ?? '', deliveryId: deliveryId ?? '' };
    const reason = REDELIVERY_REFUSALS[code as keyof typeof REDELIVERY_REFUSALS];
    if (!reason) throw new Error(`unexpected reply ${code} from redeliver-webhook.lua`);
    return { ok: false, reason };
  }

  /** Record an attempt on the job; false when the delivery is no longer the current one (or the job expired). */
  async recordAttempt(jobId: string, deliveryId: string, record: AttemptRecord): Promise<boolean> {
    const { set, remove } = attemptFieldsOf(record);
    const applied = await this.scripts.recordWebhookAttempt(
      this.keys.job(jobId),
      deliveryId,
      remove.join(','),
      ...Object.entries(set).flat(),
    );
    return applied === SCRIPT_REPLY.applied;
  }

  /** Keep a delivery that gave up, for inspection (`XRANGE <prefix>:webhook-dead - +`). */
  async deadLetter(letter: DeadLetter): Promise<void> {
    const fields: string[] = [
      'delivery_id',
      letter.deliveryId,
      'event_id',
      letter.eventId,
      'job_id',
      letter.jobId,
      'type',
      letter.type,
      'url',
      letter.url,
      'attempts',
      String(letter.attempts),
      'failed_at',
      new Date().toISOString(),
    ];
    if (letter.statusCode !== undefined) fields.push('last_status_code', String(letter.statusCode));
    if (letter.error !== undefined) fields.push('last_error', letter.error);
    await this.redis.xadd(this.keys.webhookDead, 'MAXLEN', '~', String(this.deadLetterMax), '*', ...fields);
  }

  /** Newest dead letters first. */
  async listDead(count = 100): Promise<Record<string, string>[]> {
    const entries = await this.redis.xrevrange(this.keys.webhookDead, '+', '-', 'COUNT', count);
    return entries.map(([id, flat]) => {
      const entry: Record<string, string> = { id };
      for (let i = 0; i + 1 < flat.length; i += 2) entry[flat[i] as string] = flat[i + 1] as string;
      return entry;
    });
  }
}
