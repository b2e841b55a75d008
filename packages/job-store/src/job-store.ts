import type { JobStatus, JobView, PredictionOrigin } from '@infer/contracts';
import { inSpan } from '@infer/telemetry';
import type { Redis } from 'ioredis';
import { type DurableWrites, durableConnection } from './durable-writes.ts';
import { type RedisKeys, redisKeys } from './keys.ts';
import { DEADLINE_ERROR, LIFECYCLE, type LifecycleVerb } from './lifecycle.ts';
import {
  hashOf,
  JOB_FIELDS,
  type JobUpdate,
  jobRecordOf,
  jobViewFromHash,
  type NewJob,
  PREDICTION_ORIGIN_FIELDS,
  predictionOriginOf,
  STORED_JOB_FIELDS,
  type StoredJob,
  storedJobOf,
  updateFieldsOf,
} from './record/job-record.ts';
import { SCRIPT_REPLY } from './scripts/reply-codes.ts';
import { type ScriptCommands, scriptError, scriptsOf, transaction } from './scripts/scripts.ts';
import { newWebhookEventId } from './webhook-store.ts';

/** The job index of a principal; `-` while auth is off (owner ids are `key:…` or `jwt:…`, never `-`). */
export const indexScope = (owner: string | undefined): string => owner ?? '-';

export interface TransitionOutcome {
  applied: boolean;
  /** Status before the call (or the blocking status when not applied); undefined if the job is gone. */
  previous: JobStatus | undefined;
}

export interface CreateOptions {
  /** Replace this Idempotency-Key claim with its answer in the same step (see Idempotency). */
  idempotency?: { key: string; claim: string; answer: string; ttlSeconds: number } | undefined;
}

/** A job of a listing, with how it was created (a Replicate prediction, or not). */
export interface ListedJob {
  view: JobView;
  origin: PredictionOrigin | undefined;
}

/** Where a page of a listing ends: the creation time (index score) and id of its last job. */
export interface ListCursor {
  at: number;
  id: string;
}

export interface ListQuery {
  limit: number;
  cursor?: ListCursor | undefined;
  status?: readonly JobStatus[] | undefined;
  model?: string | undefined;
  /** Epoch ms, exclusive. */
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
  scanLimit?: number;
}

/**
 * Job records (a Redis hash per job) and their image payloads (one binary
 * string per job). The record is the API's source of truth; BullMQ only
 * carries the job id through the queue.
 */
export class JobStore {
  readonly keys: RedisKeys;
  private readonly scripts: ScriptCommands;

  private readonly redis: Redis;
  private readonly ttlSeconds: number;
  private readonly durable: DurableWrites | undefined;

  /** `durable`: creations run on its connection and are answered once its replicas confirm them (durable-writes.ts). */
  constructor(redis: Redis, prefix: string, ttlSeconds: number, durable?: DurableWrites) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.durable = durable && durable.replicas > 0 ? durable : undefined;
    this.keys = redisKeys(prefix);
    this.scripts = scriptsOf(redis);
  }

  /** One job's record and image, as createMany stores them. */
  async create(job: NewJob, image: Uint8Array): Promise<void> {
    await this.createMany([{ job, image }]);
  }

  /**
   * Store records, image bytes (binary, once), enqueue intents, Cancel-After deadlines and
   * the Idempotency-Key answer in one atomic step (scripts/create-jobs.lua). Once this
   * returns the jobs are accepted: if the caller dies before enqueueing them, the
   * intents get them enqueued (see dueEnqueueIntents).
   */
  createMany(jobs: readonly { job: NewJob; image: Uint8Array }[], options: CreateOptions = {}): Promise<void> {
    return inSpan('job-store create', { 'infer.jobs.count': jobs.length }, () => this.storeJobs(jobs, options));
  }

  private async storeJobs(jobs: readonly { job: NewJob; image: Uint8Array }[], options: CreateOptions): Promise<void> {
    const createdAt = jobs[0]?.job.createdAt.getTime() ?? Date.now();
    const { idempotency } = options;
    // A batch is one principal's: one index.
    const owner = jobs[0]?.job.owner;
    const keys = [
      this.keys.enqueueIntents,
      this.keys.deadlines,
      idempotency?.key ?? this.keys.enqueueIntents,
      this.keys.jobIndex(indexScope(owner)),
    ];
    const args: string[] = [
      idempotency?.claim ?? '',
      idempotency?.answer ?? '',
      String(idempotency?.ttlSeconds ?? 1),
      String(this.ttlSeconds),
      String(createdAt),
    ];
    for (const { job } of jobs) {
      keys.push(this.keys.job(job.id), this.keys.image(job.id));
      args.push(JSON.stringify(jobRecordOf(job)), job.cancelAt ? String(job.cancelAt.getTime()) : '');
    }
    const replies = await transaction(
      this.durable ? durableConnection(this.durable) : this.redis,
      (tx) => {
        // The bytes go beside the script, not through it (see transaction); the script
        // deletes them again if the Idempotency-Key claim turns out lost.
        for (const { job, image } of jobs) {
          const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
          // No TTL: the payload lives until the job's terminal state deletes it (transition.lua).
          tx.command('set', this.keys.image(job.id), bytes);
        }
        tx.script('inferCreateJobs', String(keys.length), ...keys, ...args);
      },
      this.durable,
    );
    const error = scriptError(replies.at(-1) as number);
    if (error) throw error;
  }

  /**
   * Jobs created before `before` whose intent is still listed, with what is needed
   * to enqueue them; a job whose record is gone comes back with `job: null`.
   */
  async dueEnqueueIntents(before: number, limit: number): Promise<{ id: string; job: StoredJob | null }[]> {
    const ids = await this.redis.zrangebyscore(this.keys.enqueueIntents, '-inf', before, 'LIMIT', 0, limit);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.job(id), ...STORED_JOB_FIELDS.map((field) => field.name));
    const replies = (await pipeline.exec()) ?? [];
    return ids.map((id, i) => {
      const [error, values] = replies[i] ?? [null, []];
      if (error) throw error;
      return { id, job: storedJobOf(id, values as (string | null)[]) };
    });
  }

  /** The intents of jobs now known to be enqueued (or gone). */
  async clearEnqueueIntents(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.zrem(this.keys.enqueueIntents, ...ids);
  }

  /**
   * One owner's jobs, newest first, from the index written at creation: a page of at most
   * `limit`, after `cursor` (the last job of the previous page). Records that expired are
   * skipped (and dropped from the index); at most `scanLimit` index entries are read per call,
   * so a sparse filter answers a short page with a cursor rather than scanning everything.
   */
  async list(owner: string | undefined, query: ListQuery): Promise<{ jobs: ListedJob[]; next?: ListCursor }> {
    const index = this.keys.jobIndex(indexScope(owner));
    const max = query.cursor ? String(query.cursor.at) : query.createdBefore ? `(${query.createdBefore}` : '+inf';
    const min = query.createdAfter ? `(${query.createdAfter}` : '-inf';
    const scanLimit = query.scanLimit ?? 1000;
    const jobs: ListedJob[] = [];
    let offset = 0;
    let last: ListCursor | undefined;
    while (jobs.length < query.limit && offset < scanLimit) {
      const chunk = Math.min(query.limit * 2, scanLimit - offset);
      const page = await this.redis.zrevrangebyscore(index, max, min, 'WITHSCORES', 'LIMIT', offset, chunk);
      if (page.length === 0) return { jobs };
      offset += page.length / 2;
      const entries: ListCursor[] = [];
      for (let i = 0; i < page.length; i += 2) {
        const entry = { id: page[i] as string, at: Number(page[i + 1]) };
        // Ties (a batch shares one creation time) are ordered by id: skip what the previous page had.
        if (query.cursor && entry.at === query.cursor.at && entry.id >= query.cursor.id) continue;
        entries.push(entry);
      }
      const pipeline = this.redis.pipeline();
      for (const { id } of entries) pipeline.hgetall(this.keys.job(id));
      const hashes = (await pipeline.exec()) ?? [];
      const gone: string[] = [];
      for (const [i, entry] of entries.entries()) {
        last = entry;
        const [error, hash] = hashes[i] ?? [null, {}];
        if (error) throw error;
        const record = hash as Record<string, string>;
        const status = record[JOB_FIELDS.status.name];
        if (!status) {
          gone.push(entry.id);
          continue;
        }
        if (query.status && !query.status.includes(status as JobStatus)) continue;
        if (query.model && record[JOB_FIELDS.model.name] !== query.model) continue;
        jobs.push({ view: jobViewFromHash(record), origin: predictionOriginOf(record) });
        if (jobs.length === query.limit) return { jobs, next: entry };
      }
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
    }
    return offset >= scanLimit && last ? { jobs, next: last } : { jobs };
  }

  /** How the job was created, if as a Replicate prediction (see predictionOriginOf). */
  async originOf(id: string): Promise<PredictionOrigin | undefined> {
    const fields = PREDICTION_ORIGIN_FIELDS;
    const values = await this.redis.hmget(this.keys.job(id), ...fields.map((field) => field.name));
    return predictionOriginOf(hashOf(fields, values));
  }

  /** The job's status, owner and Cancel-After deadline, in one HMGET; null if the record is gone. */
  async peek(id: string): Promise<{ status: JobStatus; owner?: string; cancelAt?: string } | null> {
    const { status, owner, cancelAt } = JOB_FIELDS;
    const values = await this.redis.hmget(this.keys.job(id), status.name, owner.name, cancelAt.name);
    if (!values[0]) return null;
    return { status: status.decode(values[0]), owner: values[1] ?? undefined, cancelAt: values[2] ?? undefined };
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
    if (!hash[JOB_FIELDS.status.name]) return null;
    if (owner !== undefined && hash[JOB_FIELDS.owner.name] !== owner) return null;
    return jobViewFromHash(hash);
  }

  /**
   * Change the job's status by one verb of the lifecycle (lifecycle.ts), atomically
   * (scripts/transition.lua): applied only from a status the verb may leave; a terminal
   * status drops the payload and starts the record's TTL; an event the job's webhook
   * subscribed to goes to the outbox in the same step. `expire` records DEADLINE_ERROR.
   */
  apply(verb: LifecycleVerb, id: string, update: JobUpdate = {}): Promise<TransitionOutcome> {
    return inSpan(`job-store ${verb}`, { 'infer.job.id': id }, async (span) => {
      const [applied, status] = await this.scripts.transition(...this.transitionArgs(verb, id, update));
      const previous = status === '' ? undefined : JOB_FIELDS.status.decode(status);
      span?.setAttribute('infer.job.transition.applied', applied === SCRIPT_REPLY.applied);
      return { applied: applied === SCRIPT_REPLY.applied, previous };
    });
  }

  /**
   * `apply('start', …)` and a read of the job's image payload in one atomic round trip:
   * what a worker does first with every job (null image: the payload is gone). The bytes
   * are read beside the script, not returned through it (see transaction).
   */
  start(id: string, update: JobUpdate): Promise<TransitionOutcome & { image: Buffer | null }> {
    return inSpan('job-store start', { 'infer.job.id': id }, () => this.startNow(id, update));
  }

  private async startNow(id: string, update: JobUpdate): Promise<TransitionOutcome & { image: Buffer | null }> {
    const [transition, image] = await transaction(this.redis, (tx) => {
      tx.script('inferTransition', ...this.transitionArgs('start', id, update));
      tx.command('get', this.keys.image(id));
    });
    const [applied, status] = transition as [number, Buffer];
    const previous = status.length === 0 ? undefined : JOB_FIELDS.status.decode(status.toString());
    return {
      applied: applied === SCRIPT_REPLY.applied,
      previous,
      image: applied === SCRIPT_REPLY.applied ? (image as Buffer | null) : null,
    };
  }

  private transitionArgs(verb: LifecycleVerb, id: string, update: JobUpdate): string[] {
    const fields = updateFieldsOf(verb === 'expire' ? { error: DEADLINE_ERROR, ...update } : update);
    return [
      this.keys.job(id),
      this.keys.image(id),
      this.keys.webhookOutbox,
      verb,
      String(this.ttlSeconds),
      this.keys.jobEvents,
      JSON.stringify({ id, status: LIFECYCLE[verb].to }),
      // Used only if the job subscribed to this change (transactional outbox, see scripts/includes/webhook-outbox.lua).
      newWebhookEventId(),
      new Date().toISOString(),
      ...fields,
    ];
  }
}
