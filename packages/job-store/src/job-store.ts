import {
  isTerminal,
  type JobError,
  type JobResult,
  type JobStatus,
  type JobTimings,
  type JobView,
  jobErrorSchema,
  jobResultSchema,
  jobStatusSchema,
  jobTimingsSchema,
} from '@infer/contracts';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { type RedisKeys, redisKeys } from './keys.ts';
import { TRANSITION_SCRIPT } from './transition.lua.ts';
import { newWebhookEventId, webhookStatusFromHash } from './webhook-store.ts';

export interface NewJob {
  id: string;
  model: string;
  version?: string | undefined;
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
}

/** Fields a transition may set besides the status. */
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

export interface TransitionOutcome {
  applied: boolean;
  /** Status before the call (or the blocking status when not applied); undefined if the job is gone. */
  previous: JobStatus | undefined;
}

type TransitionCommand = (
  jobKey: string,
  imageKey: string,
  from: string,
  to: string,
  ttl: string,
  outboxKey: string,
  channel: string,
  message: string,
  eventId: string,
  eventAt: string,
  ...fields: string[]
) => Promise<[number, string]>;

/**
 * Job records (a Redis hash per job) and their image payloads (one binary
 * string per job). The record is the API's source of truth; BullMQ only
 * carries the job id through the queue.
 */
export class JobStore {
  readonly keys: RedisKeys;
  private readonly transitionCommand: TransitionCommand;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlSeconds: number,
  ) {
    this.keys = redisKeys(prefix);
    if (!('jobTransition' in redis)) redis.defineCommand('jobTransition', { numberOfKeys: 3, lua: TRANSITION_SCRIPT });
    const command = (redis as unknown as { jobTransition: TransitionCommand }).jobTransition;
    this.transitionCommand = command.bind(redis);
  }

  /** Store the record and the image bytes (binary, once) atomically. */
  async create(job: NewJob, image: Uint8Array): Promise<void> {
    const record: Record<string, string> = {
      id: job.id,
      status: 'queued',
      model: job.model,
      created_at: job.createdAt.toISOString(),
    };
    if (job.version) record.requested_version = job.version;
    if (job.requestId) record.request_id = job.requestId;
    if (job.priority) record.priority = String(job.priority);
    if (job.metadata) record.metadata = JSON.stringify(job.metadata);
    if (job.cancelAt) record.cancel_at = job.cancelAt.toISOString();
    if (job.owner) record.owner = job.owner;
    if (job.webhook) {
      record.webhook_url = job.webhook.url;
      record.webhook_events = JSON.stringify(job.webhook.events);
    }
    await this.redis
      .multi()
      .set(
        this.keys.image(job.id),
        Buffer.from(image.buffer, image.byteOffset, image.byteLength),
        'EX',
        this.ttlSeconds,
      )
      .hset(this.keys.job(job.id), record)
      .expire(this.keys.job(job.id), this.ttlSeconds)
      .exec();
  }

  /** Undo create() when the job could not be enqueued. */
  async remove(id: string): Promise<void> {
    await this.redis.del(this.keys.job(id), this.keys.image(id));
  }

  async getImage(id: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.image(id));
  }

  /**
   * The job's view; with `owner` (auth on), a job of another principal (or of none)
   * reads as absent, so that its existence does not leak.
   */
  async get(id: string, owner?: string): Promise<JobView | null> {
    const hash = await this.redis.hgetall(this.keys.job(id));
    if (!hash.status) return null;
    if (owner !== undefined && hash.owner !== owner) return null;
    return toView(hash);
  }

  /** Compare-and-set the status (see TRANSITION_SCRIPT); terminal states drop the payload and start the TTL. */
  async transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    update: JobUpdate = {},
  ): Promise<TransitionOutcome> {
    const fields: string[] = [];
    for (const [name, value] of Object.entries(update)) {
      if (value === undefined) continue;
      fields.push(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    const [applied, status] = await this.transitionCommand(
      this.keys.job(id),
      this.keys.image(id),
      this.keys.webhookOutbox,
      from.join(','),
      to,
      isTerminal(to) ? String(this.ttlSeconds) : '',
      this.keys.jobEvents,
      JSON.stringify({ id, status: to }),
      // Used only if the job subscribed to this change (transactional outbox, see webhook-outbox.lua.ts).
      newWebhookEventId(),
      new Date().toISOString(),
      ...fields,
    );
    const previous = status === '' ? undefined : jobStatusSchema.parse(status);
    return { applied: applied === 1, previous };
  }
}

export { toView as jobViewFromHash };

function parseJson<T>(schema: z.ZodType<T>, raw: string | undefined): T | null {
  if (raw === undefined) return null;
  return schema.parse(JSON.parse(raw));
}

/** Validate what we read back from Redis: it may have been written by another version. */
function toView(hash: Record<string, string>): JobView {
  return {
    id: hash.id ?? '',
    status: jobStatusSchema.parse(hash.status),
    model: hash.model ?? '',
    model_version: hash.model_version ?? hash.requested_version ?? null,
    created_at: hash.created_at ?? '',
    started_at: hash.started_at ?? null,
    completed_at: hash.completed_at ?? null,
    result: parseJson(jobResultSchema, hash.result),
    error: parseJson(jobErrorSchema, hash.error),
    timings: parseJson(jobTimingsSchema, hash.timings),
    execution_provider: hash.execution_provider ?? null,
    priority: Number(hash.priority ?? 0),
    metadata: hash.metadata ? (JSON.parse(hash.metadata) as Record<string, unknown>) : null,
    cancel_at: hash.cancel_at ?? null,
    // Only the API can tell (it asks the queue); see JobsService.get.
    queue_position: null,
    webhook: webhookStatusFromHash(hash),
  };
}
