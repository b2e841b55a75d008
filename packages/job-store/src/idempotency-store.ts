import { createHash } from 'node:crypto';
import type { RedisClient } from '@infer/redis';
import { type DurableWrites, durableConnection } from './durable-writes.ts';
import { type RedisKeys, redisKeys } from './keys.ts';
import { SCRIPT_REPLY } from './scripts/reply-codes.ts';
import { type ScriptCommands, scriptsOf, transaction } from './scripts/scripts.ts';

/**
 * Idempotency-Key records (`redisKeys.idempotency`, one string per key): a request claims
 * its key with SET NX, renews the claim while it works (scripts/renew-claim.lua) and gives
 * it back if it fails (scripts/release-claim.lua), both only while the claim is still its
 * own; the claim is replaced by the answer in the step that creates the jobs
 * (scripts/create-jobs.lua, JobStore.createMany). Values are opaque here: what a claim and
 * an answer say is the API's (apps/api/src/idempotency.ts).
 */
export class IdempotencyStore {
  readonly keys: RedisKeys;
  private readonly scripts: ScriptCommands;

  private readonly redis: RedisClient;
  private readonly durable: DurableWrites | undefined;

  /** `durable`: a replayed answer is confirmed on its replicas first (see confirmReplicated). */
  constructor(redis: RedisClient, prefix: string | RedisKeys, durable?: DurableWrites) {
    this.redis = redis;
    this.keys = typeof prefix === 'string' ? redisKeys(prefix) : prefix;
    this.scripts = scriptsOf(redis);
    this.durable = durable && durable.replicas > 0 ? durable : undefined;
  }

  /**
   * Before an answer read back is replayed as 2xx: the write that stored it (perhaps by another
   * API replica, perhaps answered 503 for want of replicas) must have reached `durable.replicas`.
   * WAIT only counts this connection's own writes, so the answer is written again, unchanged and
   * with its TTL, on the durable connection and WAITed for: the replication stream is ordered, so
   * a replica that has this write has every earlier one, the jobs included. Throws 503 when too few confirm.
   */
  async confirmReplicated(recordKey: string, answer: string): Promise<void> {
    if (!this.durable) return;
    await transaction(
      durableConnection(this.durable),
      recordKey,
      (tx) => tx.command('set', recordKey, answer, 'XX', 'KEEPTTL'),
      this.durable,
    );
  }

  /** The record of a client's key, scoped by owner (`-` without auth); both are stored only as digests. */
  recordKey(key: string, owner: string | undefined): string {
    return this.keys.idempotency(
      owner === undefined ? '-' : createHash('sha256').update(owner).digest('hex').slice(0, 32),
      createHash('sha256').update(key).digest('hex'),
    );
  }

  /** Take the key if nobody holds it (the claim frees itself after `ttlSeconds`); true when taken. */
  async claim(recordKey: string, claim: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(recordKey, claim, 'EX', ttlSeconds, 'NX')) !== null;
  }

  /** The claim or answer the key holds; null when free. */
  read(recordKey: string): Promise<string | null> {
    return this.redis.get(recordKey);
  }

  /** Extend the claim to `ttlSeconds` from now, only if it is still this one; true when renewed. */
  async renew(recordKey: string, claim: string, ttlSeconds: number): Promise<boolean> {
    return (await this.scripts.renewClaim(recordKey, claim, String(ttlSeconds))) === SCRIPT_REPLY.applied;
  }

  /** Give the key back, only if it still holds this claim; true when released. */
  async release(recordKey: string, claim: string): Promise<boolean> {
    return (await this.scripts.releaseClaim(recordKey, claim)) === SCRIPT_REPLY.applied;
  }
}
