import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';
import { type ProbedWorker, sample, startProbedWorker, submit, waitDone } from './support/worker-harness.ts';

/**
 * The opt-in result cache (RESULT_CACHE_TTL_SECONDS) through the real API, Redis and a worker
 * process with the reference model: the same bytes get the stored answer with no inference,
 * identical jobs queued together share one inference, and other bytes are inferred.
 */
describe('worker: result cache (real processes)', () => {
  let system: TestSystem;
  let worker: ProbedWorker;

  beforeAll(async () => {
    system = await TestSystem.start({ workers: 0 });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('answers the same bytes from the cache, shares identical jobs in flight, and infers other bytes', async () => {
    // A large noisy PNG: its decode takes long enough that the other five are taken meanwhile.
    const slow = await sharp({
      create: {
        width: 1800,
        height: 1400,
        channels: 3,
        background: { r: 0, g: 0, b: 0 },
        noise: { type: 'gaussian', mean: 128, sigma: 40 },
      },
    })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const green = await solidImage(COLOURS.green, 'png');
    // Six identical jobs queued before the worker starts: it takes them together.
    const together = [];
    for (let i = 0; i < 6; i++) together.push(await submit(system, slow));
    worker = await startProbedWorker(system, { RESULT_CACHE_TTL_SECONDS: '60', BATCH_WINDOW_MS: '200' });
    const first = await Promise.all(together.map((id) => waitDone(system, id)));
    expect(first.every((job) => job.status === 'succeeded')).toBe(true);
    const inferred = first.filter((job) => job.timings?.cache === undefined);
    expect(inferred).toHaveLength(1);
    expect(first.filter((job) => job.timings?.cache === 'shared')).toHaveLength(5);
    for (const job of first) expect(job.result).toEqual(inferred[0]?.result);

    const again = await waitDone(system, await submit(system, slow));
    expect(again).toMatchObject({ status: 'succeeded', model_version: '1', result: inferred[0]?.result });
    expect(again.timings).toMatchObject({ cache: 'hit', preprocess_ms: 0, inference_ms: 0 });

    const other = await waitDone(system, await submit(system, green));
    expect(other.result?.predictions[0]?.label).toBe('healthy');
    expect(other.timings?.cache).toBeUndefined();

    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    const lookups = (outcome: string) =>
      sample(metrics, 'worker_result_cache_total', { model: 'plant-pathology', outcome });
    expect([lookups('miss'), lookups('shared'), lookups('hit')]).toEqual([2, 5, 1]);
    // Entries are keyed by name@version and the bytes' digest, and expire.
    const redis = testRedis();
    try {
      const keys = await redis.keys(`${system.prefix}:result-cache:plant-pathology@1:*`);
      expect(keys).toHaveLength(2);
      const ttl = await redis.ttl(keys[0] as string);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      redis.disconnect();
    }
  });
});
