import { createHash } from 'node:crypto';
import { type Prediction, predictionSchema } from '@infer/contracts';
import type { RedisClient } from '@infer/redis';
import { z } from 'zod';
import type { RedisKeys } from './keys.ts';

/** What a cached answer holds: the predictions and where they came from. */
export interface CachedAnswer {
  predictions: Prediction[];
  executionProvider: string;
}

const cachedAnswerSchema = z.object({
  predictions: z.array(predictionSchema),
  executionProvider: z.string(),
});

/**
 * Opt-in cache of answers (RESULT_CACHE_TTL_SECONDS): the same image bytes for the same
 * model version get the stored predictions instead of a decode and an inference. Keyed by
 * `name@version` and the SHA-256 of the bytes, so a new model version never answers from
 * an old one's entries; entries expire after the TTL. Only successes are stored.
 */
export class ResultCache {
  private readonly keys: RedisKeys;
  private readonly redis: RedisClient;
  private readonly ttlSeconds: number;

  /** `keys`: the job store's (JobStore.keys), as the other stores beside it take them. */
  constructor(redis: RedisClient, keys: RedisKeys, ttlSeconds: number) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = ttlSeconds;
  }

  /** The entry of these bytes for `name@version` (see model-version.ts). */
  keyOf(modelVersion: string, image: Uint8Array): string {
    return `${modelVersion}:${createHash('sha256').update(image).digest('hex')}`;
  }

  async get(key: string): Promise<CachedAnswer | null> {
    const raw = await this.redis.get(this.keys.resultCache(key));
    if (raw === null) return null;
    // Written by another version of the worker, perhaps: an entry that does not parse is a miss.
    const parsed = cachedAnswerSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    await this.redis.set(this.keys.resultCache(key), JSON.stringify(answer), 'EX', this.ttlSeconds);
  }
}
