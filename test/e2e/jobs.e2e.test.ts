import type { JobAccepted } from '@infer/contracts';
import { redisKeys } from '@infer/job-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, type Rgb, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { expectedScores, expectedTopLabel } from '../support/reference-model.ts';
import { TestSystem } from '../support/system.ts';

describe('image in -> prediction out (real API, worker and Redis processes)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { MAX_UPLOAD_BYTES: String(256 * 1024) } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it.each([
    { name: 'green', rgb: COLOURS.green, label: 'healthy' },
    { name: 'orange-brown', rgb: COLOURS.orangeBrown, label: 'rust' },
    { name: 'dark olive', rgb: COLOURS.darkOlive, label: 'scab' },
    { name: 'yellow', rgb: COLOURS.yellow, label: 'multiple_diseases' },
  ] as { name: string; rgb: Rgb; label: string }[])(
    'a $name leaf is classified $label with the reference scores',
    async ({ rgb, label }) => {
      const response = await submitImage(system.apiUrl, await solidImage(rgb, 'png'));
      expect(response.status).toBe(202);
      const accepted = (await response.json()) as JobAccepted;
      expect(accepted).toMatchObject({ status: 'queued', model: 'plant-pathology' });
      expect(response.headers.get('location')).toBe(`/v1/jobs/${accepted.id}`);
      expect(Number.isNaN(Date.parse(accepted.created_at))).toBe(false);

      const job = await pollUntilDone(system.apiUrl, accepted.id);
      expect(job.status, system.logs()).toBe('succeeded');
      expect(expectedTopLabel(rgb)).toBe(label);
      const predictions = job.result?.predictions ?? [];
      expect(predictions.map((p) => p.label)[0]).toBe(label);
      // Sorted by score, all four labels, matching the oracle: proves channel order and normalisation
      // (float32 pooling over 50k pixels leaves ~1e-4 of rounding; a wrong mean/std is off by > 0.01).
      expect(predictions.map((p) => p.score)).toEqual([...predictions.map((p) => p.score)].sort((a, b) => b - a));
      const expected = expectedScores(rgb);
      for (const p of predictions) expect(p.score).toBeCloseTo(expected[p.label] as number, 3);
      expect(job).toMatchObject({ model_version: '1', error: null, execution_provider: 'cpu' });
      expect(Date.parse(job.started_at ?? '')).toBeGreaterThanOrEqual(Date.parse(job.created_at));
      expect(Date.parse(job.completed_at ?? '')).toBeGreaterThanOrEqual(Date.parse(job.started_at ?? ''));
    },
  );

  it('accepts JPEG and WebP as well as PNG', async () => {
    for (const format of ['jpeg', 'webp'] as const) {
      const response = await submitImage(system.apiUrl, await solidImage(COLOURS.orangeBrown, format), {}, 'x.bin');
      expect(response.status).toBe(202);
      const job = await pollUntilDone(system.apiUrl, ((await response.json()) as JobAccepted).id);
      expect(job.result?.predictions[0]?.label).toBe('rust');
    }
  });

  it('deletes the image payload once the job is done', async () => {
    const response = await submitImage(system.apiUrl, await solidImage(COLOURS.green));
    const { id } = (await response.json()) as JobAccepted;
    await pollUntilDone(system.apiUrl, id);
    const { testRedis } = await import('../support/redis.ts');
    const redis = testRedis();
    try {
      expect(await redis.exists(redisKeys(system.prefix).image(id))).toBe(0);
      expect(await redis.ttl(redisKeys(system.prefix).job(id))).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('fails a corrupt image in the worker with invalid_image, and the worker keeps running', async () => {
    const good = await solidImage(COLOURS.green, 'png');
    const truncated = good.subarray(0, 60); // valid PNG signature, cut short
    const response = await submitImage(system.apiUrl, truncated);
    expect(response.status).toBe(202);
    const failed = await pollUntilDone(system.apiUrl, ((await response.json()) as JobAccepted).id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('invalid_image');
    expect(failed.result).toBeNull();

    const next = await submitImage(system.apiUrl, good);
    const ok = await pollUntilDone(system.apiUrl, ((await next.json()) as JobAccepted).id);
    expect(ok.status).toBe('succeeded');
    expect(system.workers[0]?.exited).toBe(false);
  });

  it('reports liveness and readiness', async () => {
    expect((await fetch(system.url('/healthz'))).status).toBe(200);
    const ready = await fetch(system.url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: true, workers: 1 } });
  });
});
