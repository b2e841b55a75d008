import {
  AppError,
  isTerminal,
  type JobAccepted,
  JobExpiredError,
  JobNotFoundError,
  type JobView,
  type ModelRouting,
  type PredictionOrigin,
} from '@infer/contracts';
import {
  type Deadlines,
  type JobStore,
  type ListCursor,
  type ListedJob,
  type ListQuery,
  type ModelRoutingStore,
  routeJob,
} from '@infer/job-store';
import { enqueuedOf, type InferenceQueues, isJobId, jobIdTime, newJobId } from '@infer/queues';
import { crashPoint, LastKnown, Patience } from '@infer/runtime';
import { startJobTrace, traceparentOf } from '@infer/telemetry';
import { assertWebhookUrlAllowed } from '../webhooks/webhook-url.ts';
import type { IdempotencyBinding } from './idempotency.ts';
import type { JobReader } from './job-waiter.ts';
import type { QueueInsight } from './queue-insight.ts';

export interface SubmitRequest {
  image: Uint8Array;
  model: string;
  version?: string | undefined;
  requestId?: string | undefined;
  /** 0..100, higher runs first; 0 when absent. */
  priority?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
  webhook?: { url: string; events: string[] } | undefined;
  /** Cancel-After deadline: a job still queued then is canceled (deadline_exceeded) and never runs. */
  cancelAt?: Date | undefined;
  /** Auth principal (undefined while auth is off). */
  owner?: string | undefined;
  /** Submitted as a Replicate prediction (shown and delivered as one). */
  origin?: PredictionOrigin | undefined;
}

/** An Idempotency-Key claim and how to turn the accepted jobs into the answer it replays. */
export interface IdempotentAnswer {
  binding: IdempotencyBinding;
  answerOf: (accepted: JobAccepted[]) => unknown;
}

/** How long a submission waits for its BullMQ enqueue before answering (the job is accepted already). */
const ENQUEUE_PATIENCE_MS = 1000;

export interface JobsServiceOptions {
  attempts: number;
  /** Each model's routing policy, read at every submission; absent: the worker's newest version serves. */
  routing?: ModelRoutingStore;
  resultTtlSeconds: number;
  /** Called once per accepted job (the submitted-jobs metric). */
  onSubmitted?: (model: string) => void;
  /** Called when addBulk failed after the jobs were stored (the enqueue repair takes them). */
  onEnqueueDeferred?: (error: unknown, jobs: number) => void;
  /** Position, wait estimate and reason of queued jobs. */
  insight?: QueueInsight;
  /** SSRF_ALLOWLIST, for the accept-time check of webhook URLs. */
  ssrfAllowlist?: readonly string[];
}

/**
 * Submission and lookup of jobs: store the payload once, enqueue, read state. What
 * it is given was checked by the route that took it (model, options); the webhook URL
 * is checked here, for both APIs.
 */
export class JobsService {
  private readonly store: JobStore;
  private readonly queues: InferenceQueues;
  private readonly deadlines: Deadlines;
  private readonly options: JobsServiceOptions;
  private readonly enqueuePatience = new Patience(ENQUEUE_PATIENCE_MS);
  private readonly policyReads = new LastKnown<Map<string, ModelRouting | null>>({
    patienceMs: 1000,
    maxAgeMs: 60_000,
  });

  constructor(store: JobStore, queues: InferenceQueues, deadlines: Deadlines, options: JobsServiceOptions) {
    this.store = store;
    this.queues = queues;
    this.deadlines = deadlines;
    this.options = options;
  }

  /**
   * Several jobs at once (a batch). One script stores the records, payloads, enqueue
   * intents, deadlines and the Idempotency-Key answer; from then on the jobs are
   * accepted, whatever happens to this process: BullMQ's addBulk follows, and should
   * it fail or never run, the enqueue repair relays the intents (EnqueueRepair).
   */
  async submitMany(requests: readonly SubmitRequest[], idempotency?: IdempotentAnswer): Promise<JobAccepted[]> {
    const allowlist = this.options.ssrfAllowlist ?? [];
    for (const { webhook } of requests) if (webhook) await assertWebhookUrlAllowed(webhook.url, allowlist);
    const createdAt = new Date();
    const policies = await this.policiesOf(requests.map((request) => request.model));
    // Tracing on: one job continues the request's trace; each job of a batch gets a trace of
    // its own, linked to the request's (a thousand images are a thousand bounded traces).
    const requestTrace = requests.length === 1 ? traceparentOf() : undefined;
    // Created in one atomic step, so in one job-store shard: the Idempotency-Key record's, or one at random.
    const shard = this.store.shardForCreation(idempotency?.binding.key);
    const jobs = requests.map((request) => {
      const id = newJobId(createdAt.getTime(), shard);
      const route = routeJob(policies.get(request.model) ?? null, request.version);
      return {
        job: {
          id,
          traceparent: requestTrace ?? startJobTrace(id, { 'infer.model': request.model }),
          model: request.model,
          version: route.version,
          shadow: route.shadow,
          requestId: request.requestId,
          createdAt,
          priority: request.priority,
          metadata: request.metadata,
          webhook: request.webhook,
          cancelAt: request.cancelAt,
          owner: request.owner,
          origin: request.origin,
        },
        image: request.image,
      };
    });
    const accepted: JobAccepted[] = jobs.map(({ job }) => ({
      id: job.id,
      status: 'queued',
      model: job.model,
      created_at: createdAt.toISOString(),
    }));
    await this.store.createMany(jobs, {
      idempotency: idempotency && {
        ...idempotency.binding,
        answer: idempotency.binding.answer(idempotency.answerOf(accepted)),
      },
    });
    crashPoint('submit:after-create');
    // Accepted all the same if the enqueue fails: the intents are relayed once Redis takes the
    // addBulk again. And not held up by it past ENQUEUE_PATIENCE_MS (a queue shard on a Cluster
    // primary that is failing over): it goes on meanwhile, and BullMQ adds nothing twice.
    const enqueued = this.queues
      .enqueueMany(
        jobs.map(({ job }) => enqueuedOf({ ...job, priority: job.priority ?? 0 })),
        { attempts: this.options.attempts },
      )
      .catch((error: unknown) => this.options.onEnqueueDeferred?.(error, accepted.length));
    await this.enqueuePatience.within(enqueued, () => undefined);
    crashPoint('submit:after-enqueue');
    for (const { job } of jobs) this.options.onSubmitted?.(job.model);
    return accepted;
  }

  /**
   * The routing policies of `models`, one MGET for a batch: a routing PUT on any replica applies
   * from the next submission on. The policies share one Cluster slot: while its primary fails
   * over, submissions use the policies last read (up to a minute old) after a second's wait.
   */
  private policiesOf(models: readonly string[]): Promise<Map<string, ModelRouting | null>> {
    const routing = this.options.routing;
    if (!routing) return Promise.resolve(new Map());
    const key = [...new Set(models)].sort().join(',');
    return this.policyReads.get(key, () => routing.getMany(models));
  }

  /** The job, its queue position while queued; a job past its Cancel-After deadline is canceled on read. */
  async get(id: string, owner?: string): Promise<JobView> {
    let job = await this.read(id, owner);
    if (!job) throw this.missing(id);
    if (job.status === 'queued' && job.cancel_at && Date.parse(job.cancel_at) <= Date.now()) {
      await this.expireIfDue(id);
      job = (await this.store.get(id, owner)) ?? job;
    }
    if (job.status !== 'queued' || !this.options.insight) return job;
    return { ...job, ...(await this.options.insight.standing(job.model, id)) };
  }

  /** get() and settled() of one job for one owner, as a `Prefer: wait` loop takes them. */
  reader(id: string, owner?: string): JobReader {
    return { read: () => this.get(id, owner), settled: () => this.settled(id, owner) };
  }

  /**
   * Whether get() would now answer something a waiting client takes: the job ended, is
   * gone (or not the owner's), or is queued past its Cancel-After deadline (get() expires it).
   * One HMGET, for `Prefer: wait` loops that would otherwise read the whole view each time.
   */
  async settled(id: string, owner?: string): Promise<boolean> {
    const peek = await this.store.peek(id);
    if (!peek || (owner !== undefined && peek.owner !== owner)) return true;
    if (isTerminal(peek.status)) return true;
    return peek.status === 'queued' && peek.cancelAt !== undefined && Date.parse(peek.cancelAt) <= Date.now();
  }

  /** A page of the owner's jobs, newest first (JobStore.list). */
  list(owner: string | undefined, query: ListQuery): Promise<{ jobs: ListedJob[]; next?: ListCursor }> {
    return this.store.list(owner, query);
  }

  /**
   * queued -> canceled, atomic against a worker's queued -> running: exactly one
   * wins. Canceling a canceled job answers it again (DELETE is idempotent).
   */
  async cancel(id: string, owner?: string): Promise<JobView> {
    const job = await this.read(id, owner);
    if (!job) throw this.missing(id);
    const outcome = await this.store.apply('cancel', id, { completed_at: new Date().toISOString() });
    if (!outcome.applied && outcome.previous === undefined) throw this.missing(id);
    if (!outcome.applied && outcome.previous !== 'canceled') {
      throw new AppError('job_not_cancelable', `job "${id}" is ${outcome.previous} and can no longer be canceled`, {
        details: { status: outcome.previous },
      });
    }
    if (outcome.applied) await this.dequeue(job.model, id);
    return this.get(id, owner);
  }

  /** Expire a job still queued past its Cancel-After deadline (Deadlines.expireIfDue) and drop it from its queue. */
  async expireIfDue(id: string): Promise<boolean> {
    const { expired, model } = await this.deadlines.expireIfDue(id);
    if (expired && model) await this.dequeue(model, id);
    return expired;
  }

  /** Never look up a key built from something that is not a job id (`<id>:image` would name the payload). */
  private read(id: string, owner?: string): Promise<JobView | null> {
    if (!isJobId(id)) return Promise.resolve(null);
    return this.store.get(id, owner);
  }

  private async dequeue(model: string, id: string): Promise<void> {
    // A locked (just picked) job cannot be removed; the worker then finds it canceled and skips it.
    await this.queues.remove(model, id).catch(() => undefined);
  }

  /** Ids carry their creation time (UUIDv7): one older than the retention has expired rather than never existed. */
  private missing(id: string): AppError {
    const createdAt = jobIdTime(id);
    if (createdAt !== undefined && Date.now() - createdAt >= this.options.resultTtlSeconds * 1000) {
      return new JobExpiredError(id);
    }
    return new JobNotFoundError(id);
  }
}
