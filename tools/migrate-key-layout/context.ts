import { type RedisKeys, redisKeys } from '@infer/job-store';
import type { Redis } from 'ioredis';
import { isNewLayout, type OldLayout, oldLayout } from './old-layout.ts';

/** What every step of the migration works with. */
export interface MigrationContext {
  /** One server (plain or through Sentinel): the old layout never existed on a Cluster. */
  redis: Redis;
  prefix: string;
  old: OldLayout;
  keys: RedisKeys;
  /** Count only; write nothing. */
  dryRun: boolean;
  /** RESULT_TTL_SECONDS, for the job store the queue step hands jobs back through. */
  resultTtlSeconds: number;
}

export function migrationContext(
  redis: Redis,
  options: { prefix: string; dryRun: boolean; resultTtlSeconds: number },
): MigrationContext {
  return { redis, old: oldLayout(options.prefix), keys: redisKeys(options.prefix), ...options };
}

/** One line of the summary: how many things of one kind were moved (or would be, in a dry run). */
export interface KindCount {
  kind: string;
  count: number;
  /** What else to know about them (how many keys they came from, what was dropped). */
  note?: string | undefined;
  /** Not moved but deleted (history the new release does without). */
  dropped?: boolean;
}

/**
 * The old-layout keys matching `pattern`, a SCAN page at a time. SCAN, not KEYS: the server keeps
 * answering others. A key may come back twice (SCAN's guarantee is only that a key present
 * throughout is returned at least once): every move below tolerates a key already moved.
 */
export async function* scanOld(redis: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const old = keys.filter((key) => !isNewLayout(key));
    if (old.length > 0) yield old;
  } while (cursor !== '0');
}

/** The replies of a pipeline, each error thrown unless `tolerate` accepts it (then null). */
export async function execAll(
  pipeline: ReturnType<Redis['pipeline']>,
  tolerate: (error: Error) => boolean = () => false,
): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, value]) => {
    if (error && !tolerate(error)) throw error;
    return error ? null : value;
  });
}
