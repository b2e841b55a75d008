import type { ShadowStats } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import { type RedisKeys, redisKeys } from './keys.ts';

/** The window the API reports over, and how long a minute's counters are kept. */
export const SHADOW_WINDOW_SECONDS = 15 * 60;
/** Latency samples kept per candidate (the newest), for its p50/p95 and the primary's. */
const LATENCY_SAMPLES = 1000;

/** One compared job: both answers, as the worker that ran them saw them. */
export interface ShadowComparison {
  agreed: boolean;
  /** Mean over labels of |primary score - candidate score|. */
  meanAbsScoreDiff: number;
  primaryMs: number;
  candidateMs: number;
}

type Counter = 'compared' | 'agreed' | 'primary_errors' | 'candidate_errors' | 'dropped';

/**
 * Shadow comparisons per model and candidate, in per-minute hashes (HINCRBY, one MULTI per
 * job, so any number of workers add to them) that expire after the window, and a capped
 * list of the latest latency pairs. The worker that ran both answers compares them, so each
 * job is counted exactly once, by the process that holds both.
 */
export class ShadowStatsStore {
  private readonly keys: RedisKeys;
  private readonly redis: RedisClient;
  private readonly windowSeconds: number;

  constructor(redis: RedisClient, prefix: string, windowSeconds = SHADOW_WINDOW_SECONDS) {
    this.redis = redis;
    this.keys = redisKeys(prefix);
    this.windowSeconds = windowSeconds;
  }

  private bucket(model: string, candidate: string, now: number) {
    const minute = Math.floor(now / 60_000);
    return { key: this.keys.shadowBucket(model, candidate, minute), ttl: this.windowSeconds + 120 };
  }

  async recordComparison(model: string, candidate: string, comparison: ShadowComparison): Promise<void> {
    const now = Date.now();
    const { key, ttl } = this.bucket(model, candidate, now);
    const latency = this.keys.shadowLatency(model, candidate);
    await this.redis
      .multi()
      .hincrby(key, 'compared', 1)
      .hincrby(key, 'agreed', comparison.agreed ? 1 : 0)
      .hincrbyfloat(key, 'abs_diff_sum', comparison.meanAbsScoreDiff)
      .expire(key, ttl)
      .lpush(latency, `${now},${comparison.primaryMs},${comparison.candidateMs}`)
      .ltrim(latency, 0, LATENCY_SAMPLES - 1)
      .expire(latency, ttl)
      .zadd(this.keys.shadowCandidates(model), now, candidate)
      .expire(this.keys.shadowCandidates(model), ttl)
      .exec();
  }

  /** A shadowed job that failed on its primary, a shadow run that failed, or one dropped under load. */
  async count(model: string, candidate: string, counter: Exclude<Counter, 'compared' | 'agreed'>): Promise<void> {
    const now = Date.now();
    const { key, ttl } = this.bucket(model, candidate, now);
    await this.redis
      .multi()
      .hincrby(key, counter, 1)
      .expire(key, ttl)
      .zadd(this.keys.shadowCandidates(model), now, candidate)
      .expire(this.keys.shadowCandidates(model), ttl)
      .exec();
  }

  /** Every candidate of `model` seen within the window, newest first. */
  async read(model: string): Promise<ShadowStats[]> {
    const now = Date.now();
    const since = now - this.windowSeconds * 1000;
    const candidates = await this.redis.zrevrangebyscore(this.keys.shadowCandidates(model), '+inf', since);
    return Promise.all(candidates.map((candidate) => this.readOne(model, candidate, now)));
  }

  private async readOne(model: string, candidate: string, now: number): Promise<ShadowStats> {
    const minutes = Math.ceil(this.windowSeconds / 60);
    const current = Math.floor(now / 60_000);
    const pipeline = this.redis.pipeline();
    for (let i = 0; i < minutes; i++) pipeline.hgetall(this.keys.shadowBucket(model, candidate, current - i));
    pipeline.lrange(this.keys.shadowLatency(model, candidate), 0, LATENCY_SAMPLES - 1);
    const replies = (await pipeline.exec()) ?? [];
    const totals = { compared: 0, agreed: 0, abs_diff_sum: 0, primary_errors: 0, candidate_errors: 0, dropped: 0 };
    for (const [, value] of replies.slice(0, minutes)) {
      const hash = (value ?? {}) as Record<string, string>;
      for (const name of Object.keys(totals) as (keyof typeof totals)[]) totals[name] += Number(hash[name] ?? 0);
    }
    const since = now - this.windowSeconds * 1000;
    const samples = ((replies[minutes]?.[1] ?? []) as string[])
      .map((line) => line.split(',').map(Number) as [number, number, number])
      .filter(([at]) => at >= since);
    const primary = samples.map(([, p]) => p);
    const shadow = samples.map(([, , c]) => c);
    return {
      candidate,
      window_seconds: this.windowSeconds,
      compared: totals.compared,
      top1_agreement: totals.compared > 0 ? totals.agreed / totals.compared : null,
      mean_abs_score_diff: totals.compared > 0 ? totals.abs_diff_sum / totals.compared : null,
      latency_ms: {
        primary: { p50: quantile(primary, 0.5), p95: quantile(primary, 0.95) },
        candidate: { p50: quantile(shadow, 0.5), p95: quantile(shadow, 0.95) },
      },
      errors: { primary: totals.primary_errors, candidate: totals.candidate_errors },
      dropped: totals.dropped,
    };
  }
}

/** Nearest-rank quantile; null for no samples. */
function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round((sorted[rank] as number) * 100) / 100;
}
