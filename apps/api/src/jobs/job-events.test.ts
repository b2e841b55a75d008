import type { AddressInfo } from 'node:net';
import { isTerminal, type JobEventMessage, JobNotFoundError } from '@infer/contracts';
import { JobStore } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../../test/support/redis.ts';
import { eventsRoutes } from './events.route.ts';
import { JobEvents } from './job-events.ts';
import { JobWaiter } from './job-waiter.ts';

describe('JobEvents, JobWaiter and the event stream (real Redis)', () => {
  const prefix = uniquePrefix('events');
  const logger = createLogger({ name: 'test', level: 'silent' });
  const connectionName = `infer-test-sub-${prefix}`;
  let redis: Redis;
  let store: JobStore;
  let events: JobEvents;

  const create = (id: string) =>
    store.create({ id, model: 'm', createdAt: new Date() }, Uint8Array.from([0xff, 0xd8, 0xff]));
  const read = (id: string) => async () => {
    const job = await store.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  };

  beforeAll(() => {
    redis = testRedis();
    store = new JobStore(redis, prefix, 600);
    events = new JobEvents(
      () => {
        const connection = testRedis();
        void connection.client('SETNAME', connectionName);
        return connection;
      },
      store.keys.shards.map((shard) => shard.jobEvents),
      logger,
    );
  });
  afterAll(async () => {
    await events.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('delivers each change to the watchers of that job only, and stops after unwatch', async () => {
    const seen: Record<string, (JobEventMessage | undefined)[]> = { a: [], b: [] };
    const unwatchA = await events.watch('a', (event) => seen.a?.push(event));
    const unwatchB = await events.watch('b', (event) => seen.b?.push(event));
    expect(events.watching).toBe(2);
    await create('a');
    await redis.spublish(store.keys.shardOf('a').jobEvents, 'not json'); // ignored, and does not break dispatch
    await store.apply('start', 'a');
    await expect.poll(() => seen.a).toEqual([{ id: 'a', status: 'running' }]);
    unwatchA();
    await store.apply('succeed', 'a');
    await create('b');
    await store.apply('cancel', 'b');
    await expect.poll(() => seen.b).toEqual([{ id: 'b', status: 'canceled' }]);
    expect(seen.a).toEqual([{ id: 'a', status: 'running' }]);
    unwatchB();
    expect(events.watching).toBe(0);
  });

  it('tells every watcher to re-read after the subscriber reconnects (pub/sub drops messages meanwhile)', async () => {
    const seen: (JobEventMessage | undefined)[] = [];
    const unwatch = await events.watch('c', (event) => seen.push(event));
    const clients = (await redis.client('LIST')) as string;
    const line = clients.split('\n').find((entry) => entry.includes(`name=${connectionName}`));
    const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
    expect(id, clients).toBeDefined();
    await redis.client('KILL', 'ID', id as string);
    await expect.poll(() => seen).toEqual([undefined]);
    // And it listens again.
    await create('c');
    await store.apply('start', 'c');
    await expect.poll(() => seen).toEqual([undefined, { id: 'c', status: 'running' }]);
    unwatch();
  });

  it('waits for a terminal state: woken by its event, or answering the current state at the bound', async () => {
    const waiter = new JobWaiter(events);
    await create('d');
    const waiting = waiter.waitForTerminal('d', 30, read('d'));
    await expect.poll(() => events.watching).toBe(1);
    await store.apply('start', 'd'); // not terminal: keeps waiting
    await store.apply('fail', 'd', { error: { code: 'inference_failed', message: 'x' } });
    expect(await waiting).toMatchObject({ id: 'd', status: 'failed' });
    expect(events.watching).toBe(0);

    await create('e');
    expect((await waiter.waitForTerminal('e', 1, read('e'))).status).toBe('queued');
    expect(events.watching).toBe(0);

    // An abort (client gone, shutdown) ends the wait with the current state.
    const gone = new AbortController();
    const aborted = waiter.waitForTerminal('e', 30, read('e'), gone.signal);
    await expect.poll(() => events.watching).toBe(1);
    gone.abort();
    expect((await aborted).status).toBe('queued');
    expect(events.watching).toBe(0);
  });

  it('with a settled check, reads the full view only once the job ends, or at the bound', async () => {
    const waiter = new JobWaiter(events);
    let reads = 0;
    let looks = 0;
    const counted = (id: string) => () => {
      reads++;
      return read(id)();
    };
    const settled = (id: string) => async () => {
      looks++;
      const peek = await store.peek(id);
      return !peek || isTerminal(peek.status);
    };
    await create('f');
    const waiting = waiter.waitForTerminal('f', 30, counted('f'), undefined, settled('f'));
    await expect.poll(() => events.watching).toBe(1);
    await store.apply('start', 'f');
    await store.apply('succeed', 'f', { result: { predictions: [] } });
    expect(await waiting).toMatchObject({ id: 'f', status: 'succeeded' });
    expect(reads).toBe(1);
    // One look before waiting; the terminal event itself says the job ended, so no second look.
    expect(looks).toBe(1);

    reads = 0;
    await create('g');
    expect((await waiter.waitForTerminal('g', 1, counted('g'), undefined, settled('g'))).status).toBe('queued');
    expect(reads).toBe(1);
    expect(await store.peek('gone')).toBeNull();
  });

  it('streams keep-alive comments while idle and drop their listener when the client hangs up', async () => {
    const app = express();
    app.use(eventsRoutes.router({ events, read: (id) => read(id)(), heartbeatMs: 20 }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await create('h');
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/jobs/h/events`);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while ((text.match(/: keep-alive\n\n/g) ?? []).length < 2) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      // A keep-alive may come before the first event when the first read is slow (a busy machine): both are valid SSE.
      expect(text).toMatch(/^retry: \d+\n\n(: keep-alive\n\n)*id: queued\nevent: status\ndata: \{.*"status":"queued"/);
      expect(text).toContain(': keep-alive\n\n');
      expect(events.watching).toBe(1);
      await reader.cancel();
      await expect.poll(() => events.watching).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
