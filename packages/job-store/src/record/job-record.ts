import {
  DEFAULT_WEBHOOK_EVENTS,
  type JobError,
  type JobResult,
  type JobStatus,
  type JobTimings,
  type JobView,
  jobErrorSchema,
  jobResultSchema,
  jobStatusSchema,
  jobTimingsSchema,
  type PredictionOrigin,
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookStatus,
} from '@infer/contracts';
import { traceIdOf } from '@infer/telemetry';
import type { z } from 'zod';

/**
 * The job record, one Redis hash per job (`redisKeys(prefix).job(id)`): every field it may
 * hold is declared in JOB_FIELDS below, with how its value is written and read back, and
 * every TypeScript reader and writer of the record goes through this module (JobStore,
 * WebhookStore, Deadlines, the dispatcher's snapshot decoding). Stored names never change:
 * records written by another version must still read.
 *
 * Lua cannot import, so the scripts name fields as literals (job-record.test.ts checks that
 * each one is declared here). Which script touches which fields:
 * - scripts/create-jobs.lua writes the fields of `jobRecordOf` (handed over as JSON; no literal).
 * - scripts/transition.lua reads and writes `status`, and writes the fields of `updateFieldsOf`.
 * - scripts/includes/webhook-outbox.lua (in transition.lua and redeliver-webhook.lua) reads
 *   `webhook_url`, `webhook_events` and every non-`webhook_*` field (the event's snapshot); writes
 *   `webhook_event`, `webhook_event_id`, `webhook_event_at`, `webhook_delivery_id`,
 *   `webhook_status`, `webhook_attempts`, `webhook_started_emitted`; deletes the attempt fields.
 * - scripts/redeliver-webhook.lua reads `status`, `webhook_url`, `webhook_event`,
 *   `webhook_event_id`, `webhook_status`, `webhook_event_at`; counts `webhook_redeliveries`.
 * - scripts/record-webhook-attempt.lua reads `webhook_delivery_id`; writes and deletes the
 *   fields of `attemptFieldsOf`.
 */

/** How one value is written into the hash (whose values are strings) and read back. */
export interface FieldCodec<T> {
  encode(value: T): string;
  decode(raw: string): T;
}

/** One field of the record: its stored name and its codec. */
export interface RecordField<T> extends FieldCodec<T> {
  readonly name: string;
}

const text: FieldCodec<string> = { encode: (value) => value, decode: (raw) => raw };
/** ISO 8601. */
const time: FieldCodec<Date> = { encode: (value) => value.toISOString(), decode: (raw) => new Date(raw) };
const number: FieldCodec<number> = { encode: String, decode: Number };
const integer: FieldCodec<number> = { encode: String, decode: (raw) => Number.parseInt(raw, 10) };
/** JSON validated on the way back: it may have been written by another version. */
const json = <T>(schema: z.ZodType<T>): FieldCodec<T> => ({
  encode: (value) => JSON.stringify(value),
  decode: (raw) => schema.parse(JSON.parse(raw)),
});
/** JSON taken as written (the client's own metadata and input). */
const jsonAsIs = <T>(): FieldCodec<T> => ({
  encode: (value) => JSON.stringify(value),
  decode: (raw) => JSON.parse(raw) as T,
});
const jobStatus: FieldCodec<JobStatus> = { encode: (value) => value, decode: (raw) => jobStatusSchema.parse(raw) };
type DeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
/** An unknown delivery status reads as none (null). */
const deliveryStatus: FieldCodec<DeliveryStatus | null> = {
  encode: (value) => value ?? '',
  decode: (raw) => WEBHOOK_DELIVERY_STATUSES.find((status) => status === raw) ?? null,
};

const field = <T>(name: string, codec: FieldCodec<T>): RecordField<T> => ({ name, ...codec });

/** Every field of the job record. */
export const JOB_FIELDS = {
  // Written when the job is created (jobRecordOf, scripts/create-jobs.lua).
  id: field('id', text),
  status: field('status', jobStatus),
  model: field('model', text),
  /**
   * The version the job runs: the one the client named, or the one the model's routing chose
   * at submission (default or canary); absent without either (the worker's newest). The
   * version that answered is `model_version`.
   */
  requestedVersion: field('requested_version', text),
  /** The shadow candidate that also runs this job (routing's shadow share); its answer is only compared. */
  shadowVersion: field('shadow_version', text),
  requestId: field('request_id', text),
  createdAt: field('created_at', time),
  /** Client priority 0..100; absent means 0. */
  priority: field('priority', number),
  metadata: field('metadata', jsonAsIs<Record<string, unknown>>()),
  /** Cancel-After deadline. */
  cancelAt: field('cancel_at', time),
  /** Auth principal that submitted the job; only it may read or cancel it. */
  owner: field('owner', text),
  /** `replicate` when created as a prediction, with its `input` and `base_url`. */
  protocol: field('protocol', text),
  input: field('input', jsonAsIs<Record<string, unknown>>()),
  baseUrl: field('base_url', text),
  webhookUrl: field('webhook_url', text),
  /** Absent: DEFAULT_WEBHOOK_EVENTS. */
  webhookEvents: field('webhook_events', jsonAsIs<string[]>()),
  /**
   * The job's trace (W3C traceparent of its submission span) while tracing is on: shown as
   * `trace_id`; the enqueue repair and the webhook relay continue it.
   */
  traceparent: field('traceparent', text),

  // Written by transitions (updateFieldsOf, scripts/transition.lua); ISO 8601 times as text.
  startedAt: field('started_at', text),
  completedAt: field('completed_at', text),
  modelVersion: field('model_version', text),
  result: field('result', json(jobResultSchema)),
  error: field('error', json(jobErrorSchema)),
  timings: field('timings', json(jobTimingsSchema)),
  executionProvider: field('execution_provider', text),
  attempts: field('attempts', number),

  // Webhook delivery state (scripts/includes/webhook-outbox.lua, redeliver-webhook.lua,
  // record-webhook-attempt.lua); every name begins `webhook_`, which keeps them out of
  // the event's snapshot. ISO 8601 times as text.
  webhookEvent: field('webhook_event', text),
  webhookEventId: field('webhook_event_id', text),
  webhookEventAt: field('webhook_event_at', text),
  /** The delivery series attempts are recorded for; a redelivery or a newer event replaces it. */
  webhookDeliveryId: field('webhook_delivery_id', text),
  webhookStatus: field('webhook_status', deliveryStatus),
  webhookAttempts: field('webhook_attempts', integer),
  webhookLastStatusCode: field('webhook_last_status_code', integer),
  webhookLastError: field('webhook_last_error', text),
  webhookLastAttemptAt: field('webhook_last_attempt_at', text),
  webhookNextAttemptAt: field('webhook_next_attempt_at', text),
  webhookDeliveredAt: field('webhook_delivered_at', text),
  /** How many redeliveries were requested: the `.r<n>` of their delivery ids. */
  webhookRedeliveries: field('webhook_redeliveries', integer),
  /** Set once job.started was emitted: a retried job enters running again without a second one. */
  webhookStartedEmitted: field('webhook_started_emitted', text),
} as const;

const F = JOB_FIELDS;

/** The stored name of every declared field. */
export const JOB_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(JOB_FIELDS).map((f) => f.name));

/** A field's raw value in a hash read back (HGETALL); undefined when absent. */
const raw = (hash: Record<string, string>, f: RecordField<unknown>): string | undefined => hash[f.name];

/** HMGET's answer as a hash: the fields asked for, without the absent ones. */
export function hashOf(
  fields: readonly RecordField<unknown>[],
  values: readonly (string | null)[],
): Record<string, string> {
  const hash: Record<string, string> = {};
  for (const [i, f] of fields.entries()) {
    const value = values[i];
    if (value !== null && value !== undefined) hash[f.name] = value;
  }
  return hash;
}

export interface NewJob {
  id: string;
  model: string;
  version?: string | undefined;
  /** The shadow candidate version (routing), compared by the worker; never answers. */
  shadow?: string | undefined;
  requestId?: string | undefined;
  createdAt: Date;
  /** Client priority 0..100 (higher first); 0 when absent. */
  priority?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Cancel-After deadline: still queued then means canceled with deadline_exceeded. */
  cancelAt?: Date | undefined;
  /** Stored as `webhook_url` and `webhook_events` (JSON) for the webhook dispatcher. */
  webhook?: { url: string; events: string[] } | undefined;
  /** Auth principal that submitted the job (stored as `owner`); only it may read or cancel the job. */
  owner?: string | undefined;
  /** Created as a Replicate prediction: shown and delivered as one (stored as `protocol`, `input`, `base_url`). */
  origin?: PredictionOrigin | undefined;
  /** The job's trace (W3C traceparent), when tracing is on. */
  traceparent?: string | undefined;
}

/** `protocol` of a job created as a Replicate prediction. */
const REPLICATE_PROTOCOL = 'replicate';

/** The hash fields of a new job record. */
export function jobRecordOf(job: NewJob): Record<string, string> {
  const record: Record<string, string> = {
    [F.id.name]: F.id.encode(job.id),
    [F.status.name]: F.status.encode('queued'),
    [F.model.name]: F.model.encode(job.model),
    [F.createdAt.name]: F.createdAt.encode(job.createdAt),
  };
  if (job.version) record[F.requestedVersion.name] = F.requestedVersion.encode(job.version);
  if (job.shadow) record[F.shadowVersion.name] = F.shadowVersion.encode(job.shadow);
  if (job.requestId) record[F.requestId.name] = F.requestId.encode(job.requestId);
  if (job.priority) record[F.priority.name] = F.priority.encode(job.priority);
  if (job.metadata) record[F.metadata.name] = F.metadata.encode(job.metadata);
  if (job.cancelAt) record[F.cancelAt.name] = F.cancelAt.encode(job.cancelAt);
  if (job.owner) record[F.owner.name] = F.owner.encode(job.owner);
  if (job.webhook) {
    record[F.webhookUrl.name] = F.webhookUrl.encode(job.webhook.url);
    record[F.webhookEvents.name] = F.webhookEvents.encode(job.webhook.events);
  }
  if (job.traceparent) record[F.traceparent.name] = F.traceparent.encode(job.traceparent);
  if (job.origin) {
    record[F.protocol.name] = F.protocol.encode(REPLICATE_PROTOCOL);
    record[F.input.name] = F.input.encode(job.origin.input);
    record[F.baseUrl.name] = F.baseUrl.encode(job.origin.baseUrl);
  }
  return record;
}

/** Fields a transition may set besides the status, by their stored names. */
export interface JobUpdate {
  started_at?: string;
  completed_at?: string;
  model_version?: string;
  result?: JobResult;
  error?: JobError;
  timings?: JobTimings;
  execution_provider?: string;
  attempts?: number;
}

const UPDATE_FIELDS: { [K in keyof JobUpdate]-?: RecordField<NonNullable<JobUpdate[K]>> } = {
  started_at: F.startedAt,
  completed_at: F.completedAt,
  model_version: F.modelVersion,
  result: F.result,
  error: F.error,
  timings: F.timings,
  execution_provider: F.executionProvider,
  attempts: F.attempts,
};

/** An update as field, value pairs (what scripts/transition.lua sets), in the update's order. */
export function updateFieldsOf(update: JobUpdate): string[] {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(update)) {
    if (value === undefined) continue;
    const f = UPDATE_FIELDS[name as keyof JobUpdate] as RecordField<unknown>;
    fields.push(f.name, f.encode(value));
  }
  return fields;
}

/** What enqueueing a stored job needs (the BullMQ job data is rebuilt from the record). */
export interface StoredJob {
  id: string;
  status: JobStatus;
  model: string;
  version?: string | undefined;
  requestId?: string | undefined;
  createdAt: Date;
  priority: number;
  cancelAt?: Date | undefined;
  traceparent?: string | undefined;
  shadow?: string | undefined;
}

/** The fields storedJobOf reads (one HMGET). */
export const STORED_JOB_FIELDS = [
  F.status,
  F.model,
  F.requestedVersion,
  F.requestId,
  F.createdAt,
  F.priority,
  F.cancelAt,
  F.traceparent,
  F.shadowVersion,
] as const;

/** A stored job from the values of STORED_JOB_FIELDS; null if the record is gone. */
export function storedJobOf(id: string, values: readonly (string | null)[]): StoredJob | null {
  const [status, model, version, requestId, createdAt, priority, cancelAt, traceparent, shadow] = values;
  if (!status || !model || !createdAt) return null;
  return {
    id,
    status: F.status.decode(status),
    model: F.model.decode(model),
    version: version ?? undefined,
    requestId: requestId ?? undefined,
    createdAt: F.createdAt.decode(createdAt),
    priority: F.priority.decode(priority ?? '0'),
    cancelAt: cancelAt ? F.cancelAt.decode(cancelAt) : undefined,
    traceparent: traceparent ?? undefined,
    shadow: shadow ?? undefined,
  };
}

/** The job's trace (W3C traceparent) kept in a record or an event's snapshot of one. */
export const traceparentOfHash = (hash: Record<string, string>): string | undefined => raw(hash, F.traceparent);

/** The fields predictionOriginOf reads. */
export const PREDICTION_ORIGIN_FIELDS = [F.protocol, F.input, F.baseUrl] as const;

/** The prediction origin kept in a record (or a snapshot of one), if it was created as a prediction. */
export function predictionOriginOf(hash: Record<string, string>): PredictionOrigin | undefined {
  if (raw(hash, F.protocol) !== REPLICATE_PROTOCOL) return undefined;
  return { input: F.input.decode(raw(hash, F.input) ?? '{}'), baseUrl: raw(hash, F.baseUrl) ?? '' };
}

/** The job's view from its record (or a snapshot of one), validated: another version may have written it. */
export function jobViewFromHash(hash: Record<string, string>): JobView {
  const optional = <T>(f: RecordField<T>): T | null => {
    const value = raw(hash, f);
    return value === undefined ? null : f.decode(value);
  };
  const metadata = raw(hash, F.metadata);
  return {
    id: raw(hash, F.id) ?? '',
    status: jobStatusSchema.parse(raw(hash, F.status)),
    model: raw(hash, F.model) ?? '',
    model_version: raw(hash, F.modelVersion) ?? raw(hash, F.requestedVersion) ?? null,
    // Times are shown as stored (ISO 8601).
    created_at: raw(hash, F.createdAt) ?? '',
    started_at: raw(hash, F.startedAt) ?? null,
    completed_at: raw(hash, F.completedAt) ?? null,
    result: optional(F.result),
    error: optional(F.error),
    timings: optional(F.timings),
    execution_provider: raw(hash, F.executionProvider) ?? null,
    priority: F.priority.decode(raw(hash, F.priority) ?? '0'),
    metadata: metadata ? F.metadata.decode(metadata) : null,
    cancel_at: raw(hash, F.cancelAt) ?? null,
    // Only the API can tell (it asks the queue and the workers); see JobsService.get.
    queue_position: null,
    eta_ms: null,
    waiting_reason: null,
    webhook: webhookStatusFromHash(hash),
    trace_id: traceIdOf(raw(hash, F.traceparent)) ?? null,
  };
}

/** `webhook` of the job view, from the fields the scripts and the dispatcher write. */
export function webhookStatusFromHash(hash: Record<string, string>): WebhookStatus | null {
  const url = raw(hash, F.webhookUrl);
  if (!url) return null;
  const int = (f: RecordField<number>) => {
    const value = raw(hash, f);
    return value === undefined || value === '' ? null : f.decode(value);
  };
  const events = raw(hash, F.webhookEvents);
  const status = raw(hash, F.webhookStatus);
  return {
    url,
    events: events ? F.webhookEvents.decode(events) : [...DEFAULT_WEBHOOK_EVENTS],
    event: raw(hash, F.webhookEvent) ?? null,
    event_id: raw(hash, F.webhookEventId) ?? null,
    status: status === undefined ? null : F.webhookStatus.decode(status),
    attempts: int(F.webhookAttempts) ?? 0,
    last_status_code: int(F.webhookLastStatusCode),
    last_error: raw(hash, F.webhookLastError) ?? null,
    last_attempt_at: raw(hash, F.webhookLastAttemptAt) ?? null,
    next_attempt_at: raw(hash, F.webhookNextAttemptAt) ?? null,
    delivered_at: raw(hash, F.webhookDeliveredAt) ?? null,
  };
}

/** What the dispatcher records after an attempt (see scripts/record-webhook-attempt.lua). */
export interface AttemptRecord {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  statusCode?: number | undefined;
  error?: string | undefined;
  attemptedAt: Date;
  nextAttemptAt?: Date | undefined;
}

/** An attempt as the fields to set and the fields to delete (what scripts/record-webhook-attempt.lua does). */
export function attemptFieldsOf(record: AttemptRecord): { set: Record<string, string>; remove: string[] } {
  const attemptedAt = record.attemptedAt.toISOString();
  const set: Record<string, string> = {
    [F.webhookStatus.name]: F.webhookStatus.encode(record.status),
    [F.webhookAttempts.name]: F.webhookAttempts.encode(record.attempts),
    [F.webhookLastAttemptAt.name]: F.webhookLastAttemptAt.encode(attemptedAt),
  };
  const remove: string[] = [];
  const optional = <T>(f: RecordField<T>, value: T | undefined) => {
    if (value === undefined) remove.push(f.name);
    else set[f.name] = f.encode(value);
  };
  optional(F.webhookLastStatusCode, record.statusCode);
  optional(F.webhookLastError, record.error);
  optional(F.webhookNextAttemptAt, record.nextAttemptAt?.toISOString());
  optional(F.webhookDeliveredAt, record.status === 'delivered' ? attemptedAt : undefined);
  return { set, remove };
}
