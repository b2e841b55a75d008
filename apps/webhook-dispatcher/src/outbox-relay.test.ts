import { JobStore } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import { WEBHOOK_QUEUE_NAME, type WebhookDeliveryJobData } from '@infer/queues';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { createDispatcherMetrics } from './dispatcher-metrics.ts';
import { OutboxRelay, RELAY_GROUP } from './outbox-relay.ts';
import { retrySchedule } from './retry-policy.ts';

/** Poll until `check` holds (no timing assertions: only a generous upper bound). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('OutboxRelay (real Redis and BullMQ)', () => {
  const prefix = uniquePrefix('relay');
  let client: Redis;
  let blocking: Redis;
  let queue: Queue;
  let store: JobStore;
  const url = 'https://hooks.example/x';

  beforeAll(() => {
    client = testRedis();
    blocking = testRedis();
    queue = new Queue(WEBHOOK_QUEUE_NAME, { connection: client, prefix });
    store = new JobStore(client, prefix, 3600);
  });
  afterAll(async () => {
    await queue.close();
    await deletePrefix(client, prefix);
    client.disconnect();
    blocking.disconnect();
  });

  const relay = (consumer: string) =>
    new OutboxRelay(
      blocking,
      client,
      queue,
      store.keys,
      createLogger({ name: 'test', level: 'silent' }),
      createDispatcherMetrics(),
      { consumer, retry: retrySchedule([100, 100, 100]), claimIdleMs: 50, blockMs: 100 },
    );

  const finishJob = async (id: string) => {
    await store.create(
      { id, model: 'm', createdAt: new Date(), webhook: { url, events: ['job.succeeded'] } },
      Buffer.from([1]),
    );
    await store.apply('start', id, { started_at: new Date().toISOString() });
    await store.apply('succeed', id, {
      completed_at: new Date().toISOString(),
      result: { predictions: [{ label: 'rust', score: 0.7 }] },
    });
    return (await store.get(id))?.webhook?.event_id as string;
  };

  it('takes over entries a crashed relay read but never acknowledged, and queues each delivery once', async () => {
    // A relay that reads and dies: the entry stays pending for it.
    const eventId = await finishJob('crashed');
    await client.xgroup('CREATE', store.keys.shardOf('crashed').webhookOutbox, RELAY_GROUP, '0', 'MKSTREAM');
    const read = (await client.xreadgroup(
      'GROUP',
      RELAY_GROUP,
      'dead-relay',
      'COUNT',
      10,
      'STREAMS',
      store.keys.shardOf('crashed').webhookOutbox,
      '>',
    )) as [string, [string, string[]][]][];
    const [streamId, fields] = read[0]?.[1][0] ?? ['', []];
    // The dead relay may even have queued it before dying: the replay must not add a second delivery.
    await client.xadd(store.keys.shardOf('crashed').webhookOutbox, '*', ...fields);

    const live = relay('live-relay');
    await live.start();
    try {
      const job = await eventually(
        () => queue.getJob(eventId),
        (j) => j !== undefined,
      );
      await eventually(
        () => client.xlen(store.keys.shardOf('crashed').webhookOutbox),
        (length) => length === 0,
      );
      expect(await client.xpending(store.keys.shardOf('crashed').webhookOutbox, RELAY_GROUP)).toEqual([
        0,
        null,
        null,
        null,
      ]);
      expect(await queue.getJobCounts('wait', 'delayed')).toEqual({ wait: 1, delayed: 0 });
      expect(streamId).not.toBe('');

      const data = job?.data as WebhookDeliveryJobData;
      expect(job?.opts).toMatchObject({ attempts: 4, backoff: { type: 'webhook-schedule' } });
      expect(data).toMatchObject({ deliveryId: eventId, eventId, jobId: 'crashed', type: 'job.succeeded', url });
      const body = JSON.parse(data.body);
      expect(Object.keys(body)).toEqual(['type', 'timestamp', 'data']);
      expect(body.data).toMatchObject({
        id: 'crashed',
        status: 'succeeded',
        result: { predictions: [{ label: 'rust' }] },
      });
      expect(body.data).not.toHaveProperty('webhook');

      // Events written while the relay runs are relayed too.
      const second = await finishJob('live');
      await eventually(
        () => queue.getJob(second),
        (j) => j !== undefined,
      );
    } finally {
      await live.stop();
    }
    // A relay that stops with nothing pending leaves no consumer behind.
    const consumers = (await client.xinfo(
      'CONSUMERS',
      store.keys.shardOf('crashed').webhookOutbox,
      RELAY_GROUP,
    )) as unknown[][];
    expect(consumers.map((c) => c[1])).toEqual(['dead-relay']);
  });
});
