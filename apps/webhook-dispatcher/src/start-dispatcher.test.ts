import { randomBytes } from 'node:crypto';
import { loadEnv } from '@infer/config';
import { JobStore } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, testRedisUrl, uniquePrefix } from '../../../test/support/redis.ts';
import { WebhookReceiver } from '../../../test/support/webhook-receiver.ts';
import { startDispatcher } from './start-dispatcher.ts';

/** Sockets, servers and timers this process holds: what a closed dispatcher must give back. */
const heldResources = () =>
  process
    .getActiveResourcesInfo()
    .filter((kind) => kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout');

/**
 * The dispatcher's composition root in-process, on the test Redis with a real receiver:
 * an event in the outbox is relayed, refused once (503), retried on the schedule and
 * delivered; close() leaves nothing running (no socket, server or timer of its own).
 */
describe('startDispatcher (in-process, real Redis and receiver)', () => {
  const prefix = uniquePrefix('start-dispatcher');
  let redis: Redis;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    redis = testRedis();
    receiver = await WebhookReceiver.start((_request, index) => ({ status: index === 0 ? 503 : 204 }));
  });
  afterAll(async () => {
    await receiver.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('relays and delivers an outbox event with one retry, then closes everything it opened', async () => {
    await redis.ping();
    const before = heldResources().length;
    const env = loadEnv({
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      DISPATCHER_PORT: '0',
      WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      WEBHOOK_RETRY_SCHEDULE: '100ms',
      SSRF_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const dispatcher = await startDispatcher(env, { logger: createLogger({ name: 'dispatcher', level: 'silent' }) });
    let closed = false;
    try {
      expect((await fetch(`http://127.0.0.1:${dispatcher.port}/readyz`)).status).toBe(200);

      const store = new JobStore(redis, prefix, 3600);
      const id = 'hooked';
      await store.create(
        { id, model: 'm', createdAt: new Date(), webhook: { url: receiver.url(), events: ['job.succeeded'] } },
        Buffer.from([1]),
      );
      await store.apply('start', id, { started_at: new Date().toISOString() });
      await store.apply('succeed', id, {
        completed_at: new Date().toISOString(),
        result: { predictions: [{ label: 'rust', score: 0.7 }] },
      });

      const [refused, delivered] = await receiver.waitForRequests(2);
      const eventId = (await store.get(id))?.webhook?.event_id;
      expect(delivered?.headers['webhook-id']).toBe(eventId);
      expect(delivered?.body).toBe(refused?.body);
      await expect
        .poll(async () => (await store.get(id))?.webhook)
        .toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 204 });

      await dispatcher.close();
      closed = true;
      await expect(fetch(`http://127.0.0.1:${dispatcher.port}/healthz`)).rejects.toThrow();
      // Sockets close and timers clear a tick after their close() resolves.
      await expect.poll(() => heldResources().length, { timeout: 5000 }).toBeLessThanOrEqual(before);
    } finally {
      if (!closed) await dispatcher.close();
    }
  });
});
