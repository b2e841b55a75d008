import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redisKeys } from '@infer/job-store';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from '../../dev-support/local-redis.ts';
import { postJson } from '../support/api-answers.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { TestSystem } from '../support/system.ts';

const WAIT_TIMEOUT_MS = 300;
const SUBMISSIONS_MEASURED = 40;

/**
 * REDIS_WAIT_REPLICAS through the real API process, on a real primary and replica: a submission
 * is answered 2xx only once the replica has it; with the replica cut off it is answered 503 with
 * Retry-After at once after REDIS_WAIT_TIMEOUT_MS, and a retry with the same Idempotency-Key, once
 * the replica is back, returns the job that was written (one job, no second). Prints the cost of
 * WAIT per submission against the same API with REDIS_WAIT_REPLICAS=0.
 */
describe('submissions acknowledged only once replicated (REDIS_WAIT_REPLICAS)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'infer-wait-'));
  let primary: LocalRedis;
  let replica: LocalRedis;
  let system: TestSystem;
  let image: string;
  const clients: Redis[] = [];
  const connect = (url: string) => {
    const redis = new Redis(url);
    clients.push(redis);
    return redis;
  };

  beforeAll(async () => {
    image = (await solidImage(COLOURS.green, 'png', 48)).toString('base64');
    primary = await startLocalRedis({ dir: path.join(dir, 'primary') });
    replica = await startLocalRedis({
      dir: path.join(dir, 'replica'),
      extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
    });
    await waitForReplicas(connect(primary.url), 1);
    system = await TestSystem.start({
      workers: 0,
      env: {
        REDIS_URL: primary.url,
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS),
      },
    });
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await system?.stop();
    await replica?.stop();
    await primary?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (key?: string) =>
    postJson(system.apiUrl, { image_base64: image }, key ? { 'idempotency-key': key } : {});

  it('answers 503 when the replica cannot confirm, and the retry with the same key returns the job written', async () => {
    const first = await submit('durable-1');
    expect(first.status).toBe(202);
    const { id: firstId } = (await first.json()) as { id: string };
    // Acknowledged means the replica has it, not just the primary.
    expect(await connect(replica.url).hget(redisKeys(system.prefix).job(firstId), 'status')).toBe('queued');

    const replicaAdmin = connect(replica.url);
    await replicaAdmin.replicaof('NO', 'ONE');
    await waitForReplicas(connect(primary.url), 0);
    const sentAt = Date.now();
    const refused = await submit('durable-2');
    const tookMs = Date.now() - sentAt;
    const body = (await refused.json()) as { error: { code: string; details?: Record<string, unknown> } };
    expect({ status: refused.status, code: body.error.code, details: body.error.details }).toEqual({
      status: 503,
      code: 'service_unavailable',
      details: { reason: 'replication', acknowledged: 0, required: 1 },
    });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(tookMs).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 5);
    expect(tookMs).toBeLessThan(WAIT_TIMEOUT_MS + 1500);

    // Still without the replica, the retry is refused too: its job is not confirmed anywhere.
    expect((await submit('durable-2')).status).toBe(503);

    await replicaAdmin.replicaof('127.0.0.1', String(primary.port));
    await waitForReplicas(connect(primary.url), 1);
    const retried = await submit('durable-2');
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    const { id } = (await retried.json()) as { id: string };
    expect(await connect(replica.url).hget(redisKeys(system.prefix).job(id), 'status')).toBe('queued');
    // One job for the key: the index holds the two submissions' jobs, no third.
    const indexes = redisKeys(system.prefix).shards.map((shard) => shard.jobIndex('-'));
    const sizes = await Promise.all(indexes.map((index) => connect(primary.url).zcard(index)));
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(2);
  });

  it('costs this much per submission (printed), WAIT 1 against WAIT 0 on the same API', async () => {
    const measure = async () => {
      const times: number[] = [];
      for (let i = 0; i < SUBMISSIONS_MEASURED; i++) {
        const started = performance.now();
        const response = await submit();
        expect(response.status).toBe(202);
        await response.arrayBuffer();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => Number((times[Math.floor(q * (times.length - 1))] as number).toFixed(2));
      return { p50Ms: at(0.5), p90Ms: at(0.9) };
    };
    const withWait = await measure();
    await system.restartApi({ REDIS_WAIT_REPLICAS: '0' });
    const withoutWait = await measure();
    console.info('sequential submissions, one replica:', {
      'REDIS_WAIT_REPLICAS=1': withWait,
      'REDIS_WAIT_REPLICAS=0': withoutWait,
    });
  });
});

async function waitForReplicas(primary: Redis, count: number): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until; ) {
    const info = await primary.info('replication');
    const connected = Number(/connected_slaves:(\d+)/.exec(info)?.[1]);
    const online = [...info.matchAll(/slave\d+:.*state=online/g)].length;
    if (connected === count && online === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`primary did not reach ${count} replicas`);
}
