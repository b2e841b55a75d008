import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../../../dev-support/local-redis.ts';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { JobStore } from './job-store.ts';

describe('JobStore (real Redis)', () => {
  let redis: Redis;
  let subscriber: Redis;
  const prefix = uniquePrefix('store');
  let store: JobStore;
  const image = Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02]);

  beforeAll(() => {
    redis = testRedis();
    subscriber = testRedis();
    store = new JobStore(redis, prefix, 3600);
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
    subscriber.disconnect();
  });

  const create = async (id: string) => {
    await store.create({ id, model: 'm', requestId: 'req-1', createdAt: new Date('2026-01-01T00:00:00Z') }, image);
  };

  it('stores the record and the image bytes as binary, once', async () => {
    await create('a');
    expect(await store.get('a')).toMatchObject({
      id: 'a',
      status: 'queued',
      model: 'm',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(await store.getImage('a')).toEqual(Buffer.from(image));
    expect(await redis.strlen(store.keys.image('a'))).toBe(image.length);
    // No TTL while queued: RESULT_TTL_SECONDS runs from the terminal state.
    expect(await redis.ttl(store.keys.job('a'))).toBe(-1);
    expect(await redis.ttl(store.keys.image('a'))).toBe(-1);
  });

  it('runs a creation twice (as ioredis resends an unanswered transaction) without changing the job', async () => {
    const job = { id: 'twice', model: 'm', requestId: 'req-1', createdAt: new Date('2026-01-01T00:00:00Z') };
    // In the jobs' shard ('twice' ends in e: shard 14), as the API puts it (JobStore.shardForCreation).
    const idempotency = { key: store.keys.idempotency('-', '0e'), claim: 'claim', answer: 'answer', ttlSeconds: 60 };
    await redis.set(idempotency.key, idempotency.claim);
    await store.createMany([{ job, image }], { idempotency });
    expect((await store.apply('start', 'twice', { started_at: '2026-01-01T00:00:01Z' })).applied).toBe(true);
    await store.createMany([{ job, image }], { idempotency });
    await store.createMany([{ job, image }]);
    expect(await store.get('twice')).toMatchObject({ status: 'running' });
    expect(await redis.get(idempotency.key)).toBe('answer');
    // Replayed after the job finished: the payload SET again is dropped, not kept forever (no TTL).
    expect(await redis.exists(store.keys.image('twice'))).toBe(1);
    expect((await store.apply('succeed', 'twice', {})).applied).toBe(true);
    await store.createMany([{ job, image }], { idempotency });
    expect(await redis.exists(store.keys.image('twice'))).toBe(0);
    await store.createMany([{ job, image }]);
    expect(await redis.exists(store.keys.image('twice'))).toBe(0);
    expect(await store.get('twice')).toMatchObject({ status: 'succeeded' });
  });

  it('answers null for an unknown job', async () => {
    expect(await store.get('missing')).toBeNull();
  });

  it('moves through running to succeeded, drops the payload and publishes each change', async () => {
    await create('b');
    const messages: string[] = [];
    await subscriber.ssubscribe(store.keys.shardOf('b').jobEvents);
    subscriber.on('smessage', (_channel, message) => messages.push(message));

    expect(await store.apply('start', 'b', { started_at: '2026-01-01T00:00:01Z' })).toEqual({
      applied: true,
      previous: 'queued',
    });
    const result = { predictions: [{ label: 'x', score: 1 }] };
    expect((await store.apply('succeed', 'b', { result })).applied).toBe(true);
    const job = await store.get('b');
    expect(job).toMatchObject({ status: 'succeeded', result, started_at: '2026-01-01T00:00:01Z' });
    expect(await store.getImage('b')).toBeNull();
    expect(await redis.ttl(store.keys.job('b'))).toBeGreaterThan(3500);
    await expect.poll(() => messages.length).toBe(2);
    expect(messages.map((m) => JSON.parse(m).status)).toEqual(['running', 'succeeded']);
  });

  it('start answers the binary image payload in the same round trip, only when it applies', async () => {
    await create('s1');
    const binary = Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x0d]);
    await redis.set(store.keys.image('s1'), binary);
    expect(await store.start('s1', { attempts: 1 })).toEqual({ applied: true, previous: 'queued', image: binary });
    expect(await store.get('s1')).toMatchObject({ status: 'running' });
    // A stalled job recovered: running again, image again.
    expect(await store.start('s1', { attempts: 2 })).toEqual({ applied: true, previous: 'running', image: binary });
    await store.apply('succeed', 's1');
    expect(await store.start('s1', {})).toEqual({ applied: false, previous: 'succeeded', image: null });
    expect(await store.start('never-created', {})).toEqual({ applied: false, previous: undefined, image: null });
    await create('s2');
    await redis.del(store.keys.image('s2'));
    expect(await store.start('s2', {})).toEqual({ applied: true, previous: 'queued', image: null });
  });

  it('refuses a transition from a status not allowed, reporting the blocking one', async () => {
    await create('c');
    await store.apply('cancel', 'c');
    expect(await store.apply('start', 'c')).toEqual({
      applied: false,
      previous: 'canceled',
    });
    expect(await store.apply('start', 'gone')).toEqual({ applied: false, previous: undefined });
  });

  it('lets exactly one of a racing cancel and start win', async () => {
    for (let i = 0; i < 20; i++) {
      const id = `race-${i}`;
      await create(id);
      const [cancel, start] = await Promise.all([store.apply('cancel', id), store.apply('start', id)]);
      expect([cancel.applied, start.applied].filter(Boolean)).toHaveLength(1);
      const status = (await store.get(id))?.status;
      expect(status).toBe(cancel.applied ? 'canceled' : 'running');
    }
  });
});

describe('JobStore transactions on a private redis-server: lost scripts, full memory, a dropped connection', () => {
  let server: LocalRedis;
  let redis: Redis;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'infer-store-noscript-'));
    server = await startLocalRedis({ dir });
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the scripts and runs create and start once each, as after a restart or SCRIPT FLUSH', async () => {
    const store = new JobStore(redis, 'flushed', 3600);
    const bytes = Buffer.from([0xff, 0xd8, 0x00, 0x0d, 0x0a]);
    for (const id of ['n1', 'n2']) {
      await redis.script('FLUSH');
      await store.create({ id, model: 'm', createdAt: new Date() }, bytes);
      expect(await redis.zrange(store.keys.shardOf(id).enqueueIntents, '0', '-1')).toContain(id);
      await redis.script('FLUSH');
      expect(await store.start(id, { attempts: 1 })).toEqual({ applied: true, previous: 'queued', image: bytes });
      expect(await redis.hget(store.keys.job(id), 'attempts')).toBe('1');
    }
    // Once each: one intent per job.
    expect(await redis.zcard(store.keys.shardOf('n1').enqueueIntents)).toBe(1);
    expect(await redis.zcard(store.keys.shardOf('n2').enqueueIntents)).toBe(1);
    expect(await redis.getBuffer(store.keys.image('n1'))).toEqual(bytes);
    expect(await redis.ttl(store.keys.image('n1'))).toBe(-1); // until the terminal state deletes it
  });

  it('aborts, not resends, the rest of a transaction whose connection dropped after MULTI was answered', async () => {
    // A proxy that, once armed, passes Redis's first reply (MULTI's +OK) and cuts the connection.
    let armed = false;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(server.port, '127.0.0.1');
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        if (!armed) return void client.write(chunk);
        armed = false;
        client.end(chunk.subarray(0, '+OK\r\n'.length), () => {
          client.destroy();
          upstream.destroy();
        });
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as net.AddressInfo).port;
    const viaProxy = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null });
    try {
      const store = new JobStore(viaProxy, 'cut', 3600);
      await store.create({ id: 'warm', model: 'm', createdAt: new Date() }, Buffer.from([1]));
      await redis.config('RESETSTAT');
      armed = true;
      const failed = await store.create({ id: 'c1', model: 'm', createdAt: new Date() }, Buffer.from([2])).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failed?.message).toMatch(/aborted due to connection close/);
      // The transaction ran once, whole (Redis had it all); nothing of it ran again after the reconnect.
      await viaProxy.ping();
      const stats = await redis.info('commandstats');
      expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
      expect(/cmdstat_exec:calls=(\d+)/.exec(stats)?.[1]).toBe('1');
    } finally {
      viaProxy.disconnect();
      proxy.close();
    }
  });

  it("raises Redis's own refusal (OOM under noeviction), not EXECABORT, and writes nothing", async () => {
    const store = new JobStore(redis, 'full', 3600);
    // One byte: under noeviction any write is refused, however little this Redis holds (a
    // limit below its current use would be negative on a fresh, small server).
    await redis.config('SET', 'maxmemory', '1');
    try {
      const refused = await store.create({ id: 'f1', model: 'm', createdAt: new Date() }, Buffer.from([1, 2, 3])).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(refused?.message).toMatch(/^OOM /);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    expect(await redis.exists(store.keys.job('f1'), store.keys.image('f1'))).toBe(0);
  });
});
