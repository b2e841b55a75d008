import { slotOfKey } from '@infer/redis';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClusterNode,
  type ClusterPrimary,
  type LocalRedisCluster,
  startLocalRedisCluster,
} from '../../dev-support/local-redis-cluster.ts';

// Bounds for two loaded cores; the measured figures are printed (typically: a replica answers as
// primary 3.5-4.5 s after the kill with the default 2 s node timeout, and the client's write to the
// dead slots that is under way then succeeds within ~0.1 s of it).
const FAILOVER_WITHIN_MS = 10_000;
const WRITE_AGAIN_WITHIN_MS = 20_000;

describe('a local Redis Cluster (real redis-server nodes joined by redis-cli --cluster create)', () => {
  let cluster: LocalRedisCluster;
  let client: Cluster;
  const direct = new Map<ClusterNode, Redis>();
  /** A plain connection to one node: it answers for its own slots without redirecting. */
  const on = (node: ClusterNode): Redis => {
    let redis = direct.get(node);
    if (!redis) {
      redis = new Redis(node.port, node.host, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined); // the killed node refuses, by design
      direct.set(node, redis);
    }
    return redis;
  };

  beforeAll(async () => {
    cluster = await startLocalRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
    client = new Cluster(cluster.seedList, {
      // CLUSTER SLOTS on two loaded cores can take longer than the default 1 s to answer.
      slotsRefreshTimeout: 3000,
      // Their defaults, spelled out: a write to the dead primary's slots is retried (a live node
      // answers MOVED to the dead one, which refuses; 100 ms retryDelayOnFailover; slot refresh)
      // until maxRedirections runs out, so it rejects after ~1 s; the test retries as a caller would.
      // A product of the two above the failover time (~4 s) would make one call ride it out instead.
      retryDelayOnFailover: 100,
      maxRedirections: 16,
    });
    client.on('error', () => undefined); // also reported by the rejected commands
  });
  afterAll(async () => {
    client?.disconnect();
    for (const redis of direct.values()) redis.disconnect();
    await cluster?.stop();
  });

  it('starts whole: 3 primaries, a replica each, all 16384 slots served', async () => {
    const primaries = await cluster.primaries();
    expect(primaries).toHaveLength(3);
    const ranges = primaries.flatMap((primary) => primary.slots);
    expect(ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0)).toBe(16384);
    for (const primary of primaries) {
      expect(primary.replicas).toHaveLength(1);
      expect(await on(primary.replicas[0] as ClusterNode).info('replication')).toMatch(/master_link_status:up/);
    }
    expect(cluster.seeds.split(',')).toEqual(cluster.nodes.map((node) => `127.0.0.1:${node.port}`));
  });

  it('a Cluster client spreads keys over every primary, on the node ownerOfKey names', async () => {
    const keys = Array.from({ length: 60 }, (_, index) => `spread:${index}`);
    for (const key of keys) expect(await client.set(key, `value of ${key}`)).toBe('OK');
    const asker = on(cluster.nodes[0] as ClusterNode);
    const owners = new Set<ClusterNode>();
    for (const key of keys) {
      const slot = slotOfKey(key);
      expect(await asker.cluster('KEYSLOT', key)).toBe(slot);
      const owner = await cluster.ownerOfKey(key);
      owners.add(owner);
      expect(await on(owner).cluster('COUNTKEYSINSLOT', slot)).toBeGreaterThan(0);
      expect(await on(owner).get(key)).toBe(`value of ${key}`);
    }
    expect(owners.size).toBe(3);
    // Hash tags: only the text in the first non-empty {...} counts, as Redis computes it
    // (cluster-key-slot 1.1.1, ioredis's, puts `{}{x}` in another slot: a MOVED, not a failure).
    for (const key of ['{job:1}:payload', '{}{x}', 'a{}b{c}', 'x}y{z}', 'open{only']) {
      expect(slotOfKey(key), key).toBe(await asker.cluster('KEYSLOT', key));
    }
  });

  it('a SIGKILLed primary is replaced by its replica; the client writes its slots again; it rejoins as a replica', async () => {
    const primaries = await cluster.primaries();
    const victim = primaries.find((primary) => primary.slots.some(([start]) => start === 0));
    const survivor = primaries.find((primary) => primary !== victim);
    if (!victim || !survivor) throw new Error('no primary serving slot 0, or no other');
    const keptKey = keyServedBy(victim, 'kept');
    const deadKey = keyServedBy(victim, 'dead');
    const liveKey = keyServedBy(survivor, 'live');
    // Replication is asynchronous: WAIT makes "written before the kill survives" a fact.
    expect(await on(victim.node).set(keptKey, 'kept')).toBe('OK');
    expect(await on(victim.node).wait(1, 5000)).toBe(1);

    const killed = await cluster.killPrimary();
    expect(killed.node).toBe(victim.node);
    const failover = cluster.waitForFailover(killed, FAILOVER_WITHIN_MS);
    const rejections: { error: string; afterMs: number; tookMs: number }[] = [];
    const liveWriteMs: number[] = [];
    let firstWriteMs: number | undefined;
    while (firstWriteMs === undefined && Date.now() - killed.killedAt < WRITE_AGAIN_WITHIN_MS) {
      const sentAt = Date.now();
      try {
        await client.set(deadKey, 'written after the kill');
        firstWriteMs = Date.now() - killed.killedAt;
      } catch (error) {
        const message = (error as Error).message.replace(/127\.0\.0\.1:\d+/g, '<node>');
        rejections.push({ error: message, afterMs: sentAt - killed.killedAt, tookMs: Date.now() - sentAt });
        // Meanwhile the other primaries' slots stay writable (cluster-require-full-coverage no).
        const liveSentAt = Date.now();
        await client.set(liveKey, String(liveSentAt));
        liveWriteMs.push(Date.now() - liveSentAt);
        await delay(50);
      }
    }
    const { primary: promoted, elapsedMs } = await failover;

    console.info('Redis Cluster, primary SIGKILLed:', {
      failoverMs: elapsedMs,
      killToFirstWriteMs: firstWriteMs,
      rejectedWrites: rejections,
      slowestLiveWriteMs: Math.max(0, ...liveWriteMs),
    });
    expect(killed.replicas).toContain(promoted);
    expect(firstWriteMs).toBeDefined();
    expect(await cluster.ownerOfKey(deadKey)).toBe(promoted);
    expect(await on(promoted).get(deadKey)).toBe('written after the kill');
    expect(await client.get(keptKey)).toBe('kept');

    await cluster.restart(killed.node);
    const after = await cluster.primaries();
    expect(after.find((primary) => primary.node === promoted)?.replicas).toEqual([killed.node]);
    expect(after.map((primary) => primary.node)).not.toContain(killed.node);
    // Synced back from the new primary; a replica answers for its slots once told READONLY.
    const rejoined = new Redis(killed.node.port, killed.node.host);
    try {
      await rejoined.readonly();
      expect(await rejoined.get(keptKey)).toBe('kept');
    } finally {
      rejoined.disconnect();
    }
  });
});

/** A key (`<prefix>:<n>`) whose slot the primary serves. */
function keyServedBy(primary: ClusterPrimary, prefix: string): string {
  for (let index = 0; ; index++) {
    const key = `${prefix}:${index}`;
    const slot = slotOfKey(key);
    if (primary.slots.some(([start, end]) => start <= slot && slot <= end)) return key;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
