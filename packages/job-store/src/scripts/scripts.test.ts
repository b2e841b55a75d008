import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../dev-support/free-port.ts';
import { type LocalRedis, startLocalRedis } from '../../../../dev-support/local-redis.ts';
import { transaction } from './scripts.ts';

/**
 * A durable write (transaction + WAIT) sent to a server that is a replica now, as a demoted
 * primary is during a failover: the transaction is refused as it is queued (READONLY here,
 * MOVED on a Cluster node) and the WAIT behind it fails too. The refusal is what must come
 * out: onSlotOwner retries MOVED on the slot's new owner and the API answers READONLY 503,
 * where the WAIT's "ERR WAIT cannot be used with replica instances" was a 500.
 */
describe('transaction with WAIT on a replica', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'infer-tx-replica-'));
  let replica: LocalRedis;
  let redis: Redis;

  beforeAll(async () => {
    // A replica of a primary that is not there: it is a replica all the same, and refuses writes.
    replica = await startLocalRedis({
      dir,
      appendOnly: false,
      extraArgs: ['--replicaof', '127.0.0.1', String(await freePort())],
    });
    redis = new Redis(replica.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await replica?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("raises the transaction's refusal, not the WAIT's error", async () => {
    const written = transaction(redis, 'k', (tx) => tx.command('set', 'k', 'v'), { replicas: 1, timeoutMs: 100 });
    await expect(written).rejects.toThrow(/^READONLY /);
    // And the connection is fine for what follows.
    expect(await redis.ping()).toBe('PONG');
  });
});
