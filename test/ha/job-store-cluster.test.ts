import type { AppError } from '@infer/contracts';
import { type DurableWrites, JobStore, redisKeys, STORE_SHARDS } from '@infer/job-store';
import { createLogger, type Logger } from '@infer/logger';
import { InferenceQueues, newJobId } from '@infer/queues';
import {
  checkEvictionPolicy,
  closeRedis,
  createRedis,
  nodeOfKey,
  primariesOf,
  type RedisClient,
  waitReady,
} from '@infer/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEvents } from '../../apps/api/src/jobs/job-events.ts';
import { type LocalRedisCluster, startLocalRedisCluster } from '../../dev-support/local-redis-cluster.ts';

/**
 * The job store, queues and job events on a real three-primary Cluster (one replica each),
 * through the clients the processes use (createRedis with a Cluster target): every shard's
 * atomic steps run (no CROSSSLOT), the shards spread over the primaries, a durable write is
 * confirmed by the replica of the primary that took it, events arrive from every shard, and a
 * write to a killed primary's shard goes through once its replica has taken over.
 */
describe('job store on a Redis Cluster (real redis-server nodes)', () => {
  let cluster: LocalRedisCluster;
  const clients: RedisClient[] = [];
  let store: JobStore;
  let durable: DurableWrites;
  const prefix = 'cluster-store';
  const image = Uint8Array.from([0xff, 0xd8, 0xff, 0x00]);

  const connect = async (role: 'producer' | 'worker' | 'subscriber') => {
    const client = createRedis({ url: 'redis://unused.invalid:6379', cluster: { nodes: cluster.seedList } }, role);
    client.on('error', () => undefined); // refused connections to the killed primary, by design
    clients.push(client);
    await waitReady(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await startLocalRedisCluster();
    const redis = await connect('worker');
    durable = { connections: [await connect('producer')], replicas: 1, timeoutMs: 2000 };
    store = new JobStore(redis, prefix, 3600, durable);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map(closeRedis));
    await cluster?.stop();
  });

  /** One job (or a batch) in `shard`, written durably. */
  const createIn = async (shard: number, count = 1) => {
    const jobs = Array.from({ length: count }, () => ({
      job: { id: newJobId(Date.now(), shard), model: 'm', createdAt: new Date(), owner: 'key:alice' },
      image,
    }));
    await store.createMany(jobs);
    return jobs.map(({ job }) => job.id);
  };

  it('runs every shard’s steps, spread over all three primaries, each write confirmed by its own replica', async () => {
    const ids: string[] = [];
    for (let shard = 0; shard < STORE_SHARDS; shard++) ids.push(...(await createIn(shard, 3)));
    for (const id of ids) {
      const started = await store.start(id, { attempts: 1 });
      expect(started.applied && started.image?.equals(Buffer.from(image))).toBe(true);
      expect((await store.apply('succeed', id, { result: { predictions: [] } })).applied).toBe(true);
    }
    const primaries = await cluster.primaries();
    const perPrimary = await Promise.all(
      primaries.map(async ({ node, replicas }) => {
        const direct = new Redis(node.port, node.host);
        try {
          const keys = await direct.keys(`${prefix}:*:job:*`);
          // The replica holds what the primary acknowledged (WAIT 1 on the owner's connection).
          const replica = new Redis((replicas[0] as { port: number }).port, '127.0.0.1');
          await replica.readonly();
          const copied = await Promise.all(keys.map((key) => replica.exists(key)));
          replica.disconnect();
          return { port: node.port, records: keys.length, onReplica: copied.filter((n) => n === 1).length };
        } finally {
          direct.disconnect();
        }
      }),
    );
    console.info('job records per primary (16 shards x 3 jobs):', perPrimary);
    expect(perPrimary.reduce((sum, { records }) => sum + records, 0)).toBe(ids.length);
    for (const { records, onReplica } of perPrimary) {
      expect(records).toBeGreaterThanOrEqual(12); // at least 4 of the 16 shards on each primary
      expect(onReplica).toBe(records);
    }
    const listed = await store.list('key:alice', { limit: 100 });
    expect(listed.jobs.map((job) => job.view.id).sort()).toEqual([...ids].sort());
  });

  it('publishes each shard’s events on its own node, and a subscriber of every shard hears them all', async () => {
    const events = new JobEvents(
      () => createRedis({ url: 'redis://unused.invalid:6379', cluster: { nodes: cluster.seedList } }, 'subscriber'),
      redisKeys(prefix).shards.map((shard) => shard.jobEvents),
      createLogger({ name: 'test', level: 'silent' }),
    );
    try {
      const heard = new Set<string>();
      const ids: string[] = [];
      for (let shard = 0; shard < STORE_SHARDS; shard++) ids.push(...(await createIn(shard)));
      for (const id of ids) await events.watch(id, (event) => event && heard.add(`${event.id}:${event.status}`));
      for (const id of ids) await store.apply('cancel', id);
      await expect.poll(() => heard.size).toBe(ids.length);
    } finally {
      await events.close();
    }
  });

  it('reads the eviction policy of every primary at start-up, and names one that could evict queued jobs', async () => {
    const [, second] = await cluster.primaries();
    if (!second) throw new Error('the cluster has fewer than two primaries');
    const direct = new Redis(second.node.port, '127.0.0.1');
    const errors: unknown[] = [];
    const logger = { error: (...args: unknown[]) => errors.push(args), warn: () => undefined } as unknown as Logger;
    try {
      await direct.config('SET', 'maxmemory-policy', 'allkeys-lru');
      // A fresh client, still learning the slot map: the check waits for it.
      const fresh = createRedis({ url: 'redis://unused.invalid:6379', cluster: { nodes: cluster.seedList } }, 'worker');
      clients.push(fresh);
      expect(await checkEvictionPolicy(fresh, logger)).toBe('allkeys-lru');
      expect(errors).toHaveLength(1);
    } finally {
      await direct.config('SET', 'maxmemory-policy', 'noeviction');
      direct.disconnect();
    }
  });

  it('spreads a model’s queue shards over the primaries and reads them as one queue', async () => {
    const redis = await connect('producer');
    const queues = new InferenceQueues(redis, prefix, ['m'], 3);
    try {
      const owners = new Set(queues.shardsOf('m').map((queue) => nodeOfKey(redis, queue.toKey('wait'))?.options.port));
      expect(owners.size).toBe(3);
      const ids = Array.from({ length: 30 }, () => newJobId());
      await queues.enqueueMany(
        ids.map((jobId) => ({ data: { jobId, model: 'm', enqueuedAt: Date.now() }, priority: 0 })),
        { attempts: 1 },
      );
      expect(await queues.depth('m')).toBe(30);
      expect(await queues.existing(ids.map((id) => ({ id, model: 'm' })))).toEqual(ids.map(() => true));
    } finally {
      await queues.close();
    }
  });

  it('writes to a killed primary’s shard on its promoted replica, refused 503 until that has a replica of its own', async () => {
    const redis = clients[0] as RedisClient;
    const events = new JobEvents(
      () => createRedis({ url: 'redis://unused.invalid:6379', cluster: { nodes: cluster.seedList } }, 'subscriber'),
      redisKeys(prefix).shards.map((shard) => shard.jobEvents),
      createLogger({ name: 'test', level: 'silent' }),
    );
    // A waiter is told to re-read after the failover (events may have gone by), once, not per retry of ioredis.
    let rereads = 0;
    await events.watch('some-job', (event) => {
      if (event === undefined) rereads++;
    });
    const victim = nodeOfKey(redis, store.keys.shard(0).enqueueIntents);
    const killed = await cluster.killPrimary(cluster.nodes.find((node) => node.port === victim?.options.port));
    const startedAt = Date.now();
    // The client waits for the slot's new owner (packages/redis onSlotOwner) up to 8 s and writes
    // there; the promoted replica has no replica, so WAIT 1 confirms nothing: 503, the write stands.
    const id = newJobId(Date.now(), 0);
    const write = () =>
      store.createMany([{ job: { id, model: 'm', createdAt: new Date() }, image }]).then(
        () => undefined,
        (error: unknown) => error as AppError,
      );
    let refused = await write();
    const tookMs = Date.now() - startedAt;
    const { primary, elapsedMs } = await cluster.waitForFailover(killed);
    // The write may meet the dying primary's connection (closed under it: whether it ran is unknown,
    // a retry with the same Idempotency-Key settles it) or, on a loaded machine, outlast the 8 s
    // wait for the new owner (nothing written): either way, once more after the failover.
    if (refused?.status !== 503) {
      console.info(`first write refused with: ${refused?.name}: ${refused?.message}`);
      refused = await write();
    }
    console.info(`write to the killed primary's shard answered ${tookMs} ms after the kill (failover ${elapsedMs} ms)`);
    expect(refused?.status).toBe(503);
    expect(refused?.details).toMatchObject({ reason: 'replication', acknowledged: 0, required: 1 });
    expect(nodeOfKey(redis, store.keys.job(id))?.options.port).toBe(primary.port);
    expect(await store.peek(id)).toMatchObject({ status: 'queued' });
    expect(primariesOf(redis).map((node) => node.options.port)).not.toContain(killed.node.port);
    await expect.poll(() => rereads).toBeGreaterThanOrEqual(1);
    console.info(`waiters told to re-read ${rereads} time(s) through the failover`);
    expect(rereads).toBeLessThanOrEqual(3);
    await events.close();
    // The old primary rejoins as the new one's replica: durable writes are confirmed again.
    await cluster.restart(killed.node);
    await expect(createIn(0)).resolves.toHaveLength(1);
  }, 60_000);
});
