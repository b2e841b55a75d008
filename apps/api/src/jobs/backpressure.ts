import { AppError } from '@infer/contracts';
import type { InferenceQueues } from '@infer/queues';
import { LastKnown } from '@infer/runtime';

interface Depth {
  count: number;
  at: number;
  refreshing?: Promise<number> | undefined;
}

/**
 * Refuse submissions (429 queue_full) when a model's queue already holds
 * MAX_QUEUE_DEPTH jobs no worker has picked (waiting + prioritized + delayed),
 * so that the queue, and Redis memory, never grow without bound. The depth is
 * read at most every `cacheMs` per model (one round trip shared by concurrent
 * requests); jobs admitted meanwhile are counted locally, so a burst between two
 * reads cannot overshoot the limit by more than what other API replicas admit.
 * The depth is summed over the model's queue shards; while one of them is on a Cluster primary
 * that is failing over, its read would stall every submission of the model for seconds: past
 * half a second the last depth read (up to a minute old, plus what was admitted since) serves.
 */
export class Backpressure {
  private readonly depths = new Map<string, Depth>();
  private readonly lastKnown = new LastKnown<number>({ patienceMs: 500, maxAgeMs: 60_000 });

  private readonly queues: InferenceQueues;
  private readonly maxDepth: number;
  private readonly cacheMs: number;
  private readonly retryAfterSeconds: number;

  constructor(queues: InferenceQueues, maxDepth: number, cacheMs = 250, retryAfterSeconds = 5) {
    this.queues = queues;
    this.maxDepth = maxDepth;
    this.cacheMs = cacheMs;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  async admit(model: string, count: number): Promise<void> {
    const depth = await this.depth(model);
    if (depth + count > this.maxDepth) {
      throw new AppError(
        'queue_full',
        `the queue of model "${model}" is full (${depth} jobs waiting, limit ${this.maxDepth}); retry later`,
        {
          details: { model, depth, max_depth: this.maxDepth },
          headers: { 'Retry-After': String(this.retryAfterSeconds) },
        },
      );
    }
    const entry = this.depths.get(model);
    if (entry) entry.count += count;
    this.lastKnown.update(model, (depth) => depth + count);
  }

  private async depth(model: string): Promise<number> {
    const entry = this.depths.get(model);
    if (entry && Date.now() - entry.at < this.cacheMs) return entry.count;
    if (entry?.refreshing) return entry.refreshing;
    const refreshing = this.lastKnown
      .get(model, () => this.queues.depth(model))
      .then(
        (count) => {
          this.depths.set(model, { count, at: Date.now() });
          return count;
        },
        (error: unknown) => {
          this.depths.delete(model);
          throw error;
        },
      );
    this.depths.set(model, { count: entry?.count ?? 0, at: entry?.at ?? 0, refreshing });
    return refreshing;
  }
}
