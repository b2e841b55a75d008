import type { JobStatus, JobView, PredictionOrigin } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import { inSpan } from '@infer/telemetry';
import { type DurableWrites, durableConnection } from './durable-writes.ts';
import { ALL_STORE_SHARDS, type RedisKeys, redisKeys, storeShardOf, storeShardOfKey } from './keys.ts';
import { DEADLINE_ERROR, LIFECYCLE, type LifecycleVerb } from './lifecycle.ts';
import { type ListCursor, type ListedJob, type ListQuery, listAcrossShards } from './list-across-shards.ts';
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
import { webhookEventIdOf } from './webhook-store.ts';

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

export type { ListCursor, ListedJob, ListQuery };

/**
 * Job records (a Redis hash per job) and their image payloads (one binary
 * string per job). The record is the API's source of truth; BullMQ only
 * carries the job id through the queue.
 */
export class JobStore {
  readonly keys: RedisKeys;
  private readonly scripts: ScriptCommands;

  private readonly redis: RedisClient;
  private readonly ttlSeconds: number;
  private readonly durable: DurableWrites | undefined;

  /** `durable`: creations run on its connection and are answered once its replicas confirm them (durable-writes.ts). */
  constructor(redis: RedisClient, prefix: string, ttlSeconds: number, durable?: DurableWrites) {
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
   * intents get them enqueued (see dueEnqueueIntents). One step needs one slot: the jobs
   * must share one job-store shard, that of the Idempotency-Key record when there is one
   * (shardForCreation; newJobId takes the shard).
   */
  createMany(jobs: readonly { job: NewJob; image: Uint8Array }[], options: CreateOptions = {}): Promise<void> {
    return inSpan('job-store create', { 'infer.jobs.count': jobs.length }, () => this.storeJobs(jobs, options));
  }

  private async storeJobs(jobs: readonly { job: NewJob; image: Uint8Array }[], options: CreateOptions): Promise<void> {
    const createdAt = jobs[0]?.job.createdAt.getTime() ?? Date.now();
    const { idempotency } = options;
    // A batch is one principal's: one index.
    const owner = jobs[0]?.job.owner;
    const shard = storeShardOf(jobs[0]?.job.id ?? '');
    const misplaced = jobs.find(({ job }) => storeShardOf(job.id) !== shard);
    if (misplaced || (idempotency && storeShardOfKey(idempotency.key) !== shard)) {
      throw new Error(
        `jobs created together must share one job-store shard (${misplaced?.job.id ?? idempotency?.key})`,
      );
    }
    const shardKeys = this.keys.shard(shard);
    const keys = [
      shardKeys.enqueueIntents,
      shardKeys.deadlines,
      idempotency?.key ?? shardKeys.enqueueIntents,
      shardKeys.jobIndex(indexScope(owner)),
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
      shardKeys.enqueueIntents,
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
   * The shard a creation goes to: that of its Idempotency-Key record (so that the key's answer
   * and the jobs are written in one step), else one at random (the jobs of a request share it).
   */
  shardForCreation(idempotencyKey?: string): number {
    const shard = idempotencyKey === undefined ? undefined : storeShardOfKey(idempotencyKey);
    return shard ?? Math.floor(Math.random() * ALL_STORE_SHARDS.length);
  }

  /**
   * Jobs created before `before` whose intent is still listed, with what is needed to
   * enqueue them, at most `limit` per shard; a job whose record is gone comes back with `job: null`.
   */
  async dueEnqueueIntents(before: number, limit: number): Promise<{ id: string; job: StoredJob | null }[]> {
    const perShard = await Promise.all(
      this.keys.shards.map(async ({ enqueueIntents }) => {
        const ids = await this.redis.zrangebyscore(enqueueIntents, '-inf', before, 'LIMIT', 0, limit);
        if (ids.length === 0) return [];
        // One shard's records share its slot: one pipeline, one node.
        const pipeline = this.redis.pipeline();
        for (const id of ids) pipeline.hmget(this.keys.job(id), ...STORED_JOB_FIELDS.map((field) => field.name));
        const replies = (await pipeline.exec()) ?? [];
        return ids.map((id, i) => {
          const [error, values] = replies[i] ?? [null, []];
          if (error) throw error;
          return { id, job: storedJobOf(id, values as (string | null)[]) };
        });
      }),
    );
    return perShard.flat();
  }

  /** The intents of jobs now known to be enqueued (or gone). */
  async clearEnqueueIntents(ids: readonly string[]): Promise<void> {
    await Promise.all(
      groupByShard(ids).map(([shard, group]) => this.redis.zrem(this.keys.shard(shard).enqueueIntents, ...group)),
    );
  }

  /**
   * One owner's jobs, newest first, from the index written at creation (one per shard, merged
   * by listAcrossShards): a page of at most `limit`, after `cursor` (the last job of the
   * previous page). Records that expired are skipped (and dropped from the index); at most
   * `scanLimit` index entries are read per call, so a sparse filter answers a short page with
   * a cursor rather than scanning everything.
   */
  list(owner: string | undefined, query: ListQuery): Promise<{ jobs: ListedJob[]; next?: ListCursor }> {
    return listAcrossShards(this.redis, this.keys, indexScope(owner), query);
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
    const [transition, image] = await transaction(this.redis, this.keys.job(id), (tx) => {
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
    const shard = this.keys.shardOf(id);
    return [
      this.keys.job(id),
      this.keys.image(id),
      shard.webhookOutbox,
      verb,
      String(this.ttlSeconds),
      shard.jobEvents,
      JSON.stringify({ id, status: LIFECYCLE[verb].to }),
      // Used only if the job subscribed to this change (transactional outbox, see scripts/includes/webhook-outbox.lua).
      webhookEventIdOf(id, LIFECYCLE[verb].to),
      new Date().toISOString(),
      ...fields,
    ];
  }
}

/** Ids grouped by job-store shard, for commands that take several ids of one shard. */
export function groupByShard(ids: readonly string[]): [number, string[]][] {
  const groups = new Map<number, string[]>();
  for (const id of ids) {
    const shard = storeShardOf(id);
    groups.set(shard, [...(groups.get(shard) ?? []), id]);
  }
  return [...groups];
}
