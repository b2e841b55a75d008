import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '@infer/contracts';
import { type DurableWrites, IdempotencyStore, type RedisKeys } from '@infer/job-store';
import type { RedisClient } from '@infer/redis';

export interface IdempotencySettings {
  /** How long a key remembers its answer. */
  ttlSeconds: number;
  /** How long a key stays claimed by a request still working (it frees itself if that request dies). */
  pendingTtlSeconds: number;
  /** How long a concurrent duplicate waits for the first request's answer before 409 in-progress. */
  waitMs: number;
}

type Entry<T> =
  | { fingerprint: string; state: 'pending'; token: string }
  | { fingerprint: string; state: 'done'; value: T };

export type IdempotentOutcome<T> = { replayed: false; value: T } | { replayed: true; value: T };

/**
 * A claimed key, handed to the work: the work stores `answer(value)` in place of
 * `claim` in the same atomic step that creates its jobs (JobStore.createMany), so
 * that a retry after any crash finds the original jobs and never makes a second.
 */
export interface IdempotencyBinding {
  key: string;
  claim: string;
  ttlSeconds: number;
  answer: (value: unknown) => string;
}

const RELEASE_RETRY_MS = 500;

/**
 * `Idempotency-Key`: the first request with a key claims it atomically (SET NX
 * with a pending marker) and does the work, which stores the answer for
 * `ttlSeconds` together with the jobs it creates (see IdempotencyBinding).
 * A repeat with the same body gets that answer back; with another body, 409
 * idempotency_key_reused. Concurrent repeats wait briefly for the first one's
 * answer, so twenty identical submissions make exactly one job.
 */
export class Idempotency {
  private readonly store: IdempotencyStore;
  private readonly settings: IdempotencySettings;

  constructor(redis: RedisClient, keys: RedisKeys, settings: IdempotencySettings, durable?: DurableWrites) {
    this.store = new IdempotencyStore(redis, keys, durable);
    this.settings = settings;
  }

  /** A digest of what makes two requests "the same": route plus every option and the image's bytes or URL. */
  static fingerprint(parts: unknown): string {
    return createHash('sha256').update(canonicalJson(parts)).digest('hex');
  }

  /**
   * Give the key back. If Redis is unreachable right now (the usual reason the work
   * failed), keep trying in the background while the claim would still live: else a
   * client's retry would wait out the whole pending TTL for a request that is over.
   */
  private async release(redisKey: string, claim: string): Promise<void> {
    const giveUpAt = Date.now() + this.settings.pendingTtlSeconds * 1000;
    const attempt = async (): Promise<void> => {
      try {
        await this.store.release(redisKey, claim);
      } catch {
        if (Date.now() < giveUpAt) setTimeout(() => void attempt(), RELEASE_RETRY_MS).unref();
      }
    };
    await attempt();
  }

  async run<T>(
    key: string,
    owner: string | undefined,
    fingerprint: string,
    work: (binding: IdempotencyBinding) => Promise<T>,
  ): Promise<IdempotentOutcome<T>> {
    const redisKey = this.store.recordKey(key, owner);
    const deadline = Date.now() + this.settings.waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
      const claim = JSON.stringify({ fingerprint, state: 'pending', token: randomUUID() } satisfies Entry<T>);
      if (await this.store.claim(redisKey, claim, this.settings.pendingTtlSeconds)) {
        // The claim lives pendingTtlSeconds unless renewed: a request that takes longer (a batch of slow
        // image_urls) keeps it, so a client's retry meanwhile waits instead of making a second job;
        // a request whose process died frees it within pendingTtlSeconds.
        const renew = setInterval(
          () => {
            this.store.renew(redisKey, claim, this.settings.pendingTtlSeconds).catch(() => undefined);
          },
          (this.settings.pendingTtlSeconds * 1000) / 3,
        );
        renew.unref();
        const binding: IdempotencyBinding = {
          key: redisKey,
          claim,
          ttlSeconds: this.settings.ttlSeconds,
          answer: (value) => JSON.stringify({ fingerprint, state: 'done', value } satisfies Entry<unknown>),
        };
        try {
          return { replayed: false, value: await work(binding) };
        } catch (error) {
          // A refused or failed request leaves no trace: the client may retry with the same key.
          // (Once the jobs exist the claim is already replaced by the answer: this releases nothing.)
          await this.release(redisKey, claim);
          throw error;
        } finally {
          clearInterval(renew);
        }
      }
      const raw = await this.store.read(redisKey);
      if (raw !== null) {
        const entry = JSON.parse(raw) as Entry<T>;
        if (entry.fingerprint !== fingerprint) {
          throw new AppError(
            'idempotency_key_reused',
            'this Idempotency-Key was used with a different request; use a new key for a new request',
            { details: { field: 'Idempotency-Key' } },
          );
        }
        if (entry.state === 'done') {
          // With REDIS_WAIT_REPLICAS: a retry after a 503 for want of replicas gets its job once they have it.
          await this.store.confirmReplicated(redisKey, raw);
          return { replayed: true, value: entry.value };
        }
      }
      // Pending (or just released by a failed first request): wait, then look again or claim it.
      if (Date.now() >= deadline) {
        throw new AppError('idempotency_key_in_progress', 'a request with this Idempotency-Key is still in progress', {
          details: { field: 'Idempotency-Key' },
          headers: { 'Retry-After': '1' },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** JSON with object keys sorted, so that `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
