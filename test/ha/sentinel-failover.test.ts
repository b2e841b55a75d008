import { loadEnv, redisTargetOf } from '@infer/config';
import type { RedisTarget } from '@infer/contracts';
import { closeRedis, createRedis, waitReady } from '@infer/redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSentinelGroup, startLocalSentinelGroup } from '../../dev-support/local-sentinel-group.ts';

// Bounds for two loaded cores; the measured figures are printed (typically: commands rejected
// in 0-1 ms, one in flight at the kill in ~0.2 s, a new primary 2-3.5 s after the kill).
const REJECT_WITHIN_MS = 2000;
const WRITE_AGAIN_WITHIN_MS = 20_000;

describe('connections through Redis Sentinel across a failover (real redis-server and sentinels)', () => {
  let group: LocalSentinelGroup;
  let target: RedisTarget;
  const connections: Redis[] = [];
  const connect = async (role: 'producer' | 'worker' | 'subscriber') => {
    // A Sentinel target: one server connection (createRedis types any target as RedisClient).
    const redis = createRedis(target, role) as Redis;
    redis.on('error', () => undefined); // refused connections while the primary is down, by design
    connections.push(redis);
    await waitReady(redis);
    return redis;
  };

  beforeAll(async () => {
    group = await startLocalSentinelGroup({ replicas: 2, sentinels: 3 });
    target = redisTargetOf(loadEnv({ REDIS_SENTINELS: group.sentinelList }));
  });
  afterEach(async () => {
    await Promise.allSettled(connections.splice(0).map(closeRedis));
    // Every test starts from a whole group: killed nodes come back as replicas.
    for (const node of group.nodes.filter((candidate) => !candidate.running)) await group.restart(node);
  });
  afterAll(async () => {
    await group?.stop();
  });

  it('a producer rejects at once during the switch (never hangs) and writes again on the new primary', async () => {
    const producer = await connect('producer');
    expect(await producer.set('before', '1')).toBe('OK');
    // Replication is asynchronous: on a loaded machine a write just before the kill can miss the
    // replica that is promoted (seen once). WAIT makes "what was written before survived" a fact.
    expect(await producer.wait(2, 5000)).toBe(2);
    // A command in flight at the kill: BLPOP blocks on the primary until the socket breaks.
    const inFlight = producer.blpop('never-pushed', 30).then(
      () => ({ rejectedAt: undefined }),
      () => ({ rejectedAt: Date.now() }),
    );
    await delay(100);

    const { node: killed, killedAt } = await group.killPrimary();
    const newPrimary = group.waitForNewPrimary(killed).then((node) => ({ node, at: Date.now() }));
    const rejections: number[] = [];
    let firstWriteAt: number | undefined;
    for (let attempt = 0; Date.now() - killedAt < WRITE_AGAIN_WITHIN_MS; attempt++) {
      const sentAt = Date.now();
      try {
        await producer.set('after', String(attempt));
        firstWriteAt = Date.now();
        break;
      } catch {
        rejections.push(Date.now() - sentAt);
      }
      await delay(25);
    }
    const { rejectedAt } = await inFlight;
    const promoted = await newPrimary;

    const figures = {
      killToNewPrimaryMs: promoted.at - killedAt,
      killToFirstWriteMs: firstWriteAt === undefined ? undefined : firstWriteAt - killedAt,
      inFlightRejectedAfterMs: rejectedAt === undefined ? undefined : rejectedAt - killedAt,
      commandsRejected: rejections.length,
      slowestRejectionMs: Math.max(0, ...rejections),
    };
    console.info('producer through Sentinel, primary SIGKILLed:', figures);

    expect(promoted.node).not.toBe(killed);
    expect(firstWriteAt).toBeDefined();
    expect(rejections.length).toBeGreaterThan(0);
    expect(figures.slowestRejectionMs).toBeLessThan(REJECT_WITHIN_MS);
    expect(figures.inFlightRejectedAfterMs).toBeLessThan(REJECT_WITHIN_MS);
    // The write went to the promoted node, and what was written before survived on it.
    const direct = await connectDirect(promoted.node.url);
    expect(await direct.get('after')).not.toBeNull();
    expect(await direct.get('before')).toBe('1');
  });

  it('a subscriber receives messages published after the failover', async () => {
    const subscriber = await connect('subscriber');
    const publisher = await connect('worker');
    const received: { message: string; at: number }[] = [];
    subscriber.on('message', (_channel, message) => received.push({ message, at: Date.now() }));
    await subscriber.subscribe('events');
    await publisher.publish('events', 'before');
    await expect.poll(() => received.map((entry) => entry.message)).toEqual(['before']);

    const { node: killed, killedAt } = await group.killPrimary();
    await group.waitForNewPrimary(killed);
    // Publish until the subscriber, which resubscribes on its own after reconnecting, hears one.
    for (let index = 0; Date.now() - killedAt < WRITE_AGAIN_WITHIN_MS; index++) {
      await publisher.publish('events', `after-${index}`);
      if (received.length > 1) break;
      await delay(100);
    }
    const firstAfter = received[1];
    console.info('subscriber through Sentinel: first message after the kill', {
      killToMessageMs: firstAfter ? firstAfter.at - killedAt : undefined,
    });
    expect(firstAfter?.message).toMatch(/^after-\d+$/);
  });

  it('the killed primary, restarted, rejoins as a replica, and a second failover works too', async () => {
    const producer = await connect('producer');
    const first = await group.killPrimary();
    await group.waitForNewPrimary(first.node);

    await group.restart(first.node);
    const rejoined = await connectDirect(first.node.url);
    expect(await rejoined.info('replication')).toMatch(/role:slave/);

    // Written and acknowledged by both replicas (WAIT), so the next failover must keep it.
    await writeWhenReachable(producer, 'second', 'kept');
    expect(await producer.wait(2, 5000)).toBe(2);
    const second = await group.killPrimary();
    const promoted = await group.waitForNewPrimary(second.node);
    const firstWriteAt = await writeWhenReachable(producer, 'third', 'written');
    console.info('second failover:', {
      killToNewPrimary: `${promoted.name} answered as primary`,
      killToFirstWriteMs: firstWriteAt - second.killedAt,
    });
    expect(promoted).not.toBe(second.node);
    expect(await producer.get('second')).toBe('kept');
  });

  async function connectDirect(url: string): Promise<Redis> {
    const redis = createRedis(url, 'worker');
    redis.on('error', () => undefined);
    connections.push(redis);
    await waitReady(redis);
    return redis;
  }
});

/** Retry a producer write (which rejects at once while no primary is reachable); the moment it succeeded. */
async function writeWhenReachable(producer: Redis, key: string, value: string): Promise<number> {
  const deadline = Date.now() + WRITE_AGAIN_WITHIN_MS;
  for (;;) {
    try {
      await producer.set(key, value);
      return Date.now();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(25);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
