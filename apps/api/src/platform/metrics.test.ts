import { WorkerRegistry } from '@infer/job-store';
import { InferenceQueues } from '@infer/queues';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../../../../test/support/prometheus.ts';
import { deletePrefix, testRedis, uniquePrefix } from '../../../../test/support/redis.ts';
import { createApiMetrics, redisInfoField } from './metrics.ts';

describe('API metrics read from Redis at scrape time (real Redis, real BullMQ queues)', () => {
  const prefix = uniquePrefix('metrics');
  let redis: Redis;
  let queues: InferenceQueues;
  let metrics: ReturnType<typeof createApiMetrics>;

  beforeAll(() => {
    redis = testRedis();
    queues = new InferenceQueues(redis, prefix, ['busy', 'idle']);
    metrics = createApiMetrics({
      queues: () => ['busy', 'idle'].map((model) => [model, queues.shardsOf(model)] as const),
      workers: new WorkerRegistry(redis, prefix),
      heartbeatTtlMs: 3000,
      redisMemoryInfo: async () => [await redis.info('memory')],
    });
  });
  afterAll(async () => {
    await queues.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('exports the age of the oldest waiting job per model (waiting list and prioritized set), 0 when none waits', async () => {
    const now = Date.now();
    const busy = queues.shardsOf('busy')[0] as Queue;
    await busy.add('infer', {}, { jobId: 'newer', timestamp: now - 30_000 });
    await busy.add('infer', {}, { jobId: 'older', timestamp: now - 60_000 });
    await busy.add('infer', {}, { jobId: 'oldest-prioritized', timestamp: now - 120_000, priority: 3 });
    const samples = parseExposition(await metrics.registry.metrics());
    // The waiting list's oldest is the first added ("newer", 30 s); the prioritized one is older still.
    const age = sampleValue(samples, 'inference_queue_oldest_job_age_seconds', { model: 'busy' }) ?? 0;
    expect(age).toBeGreaterThanOrEqual(120);
    expect(age).toBeLessThan(150);
    expect(sampleValue(samples, 'inference_queue_oldest_job_age_seconds', { model: 'idle' })).toBe(0);

    await busy.remove('oldest-prioritized');
    const after = parseExposition(await metrics.registry.metrics());
    const waitingAge = sampleValue(after, 'inference_queue_oldest_job_age_seconds', { model: 'busy' }) ?? 0;
    expect(waitingAge).toBeGreaterThanOrEqual(30);
    expect(waitingAge).toBeLessThan(60);
  });

  it("exports Redis's memory in use and its maxmemory", async () => {
    const samples = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(samples, 'inference_redis_used_memory_bytes')).toBeGreaterThan(0);
    const [, maxmemory] = (await redis.config('GET', 'maxmemory')) as [string, string];
    expect(sampleValue(samples, 'inference_redis_maxmemory_bytes')).toBe(Number(maxmemory));
  });

  it('reads numeric fields of INFO text', () => {
    const info = '# Memory\r\nused_memory:1234\r\nused_memory_human:1.21K\r\nmaxmemory:0\r\n';
    expect(redisInfoField(info, 'used_memory')).toBe(1234);
    expect(redisInfoField(info, 'maxmemory')).toBe(0);
    expect(redisInfoField(info, 'used_memory_peak')).toBeUndefined();
  });
});
