import path from 'node:path';
import { decodeImage, loadModelRepository, ModelServer } from '@infer/inference';
import { ShadowStatsStore } from '@infer/job-store';
import { createLogger } from '@infer/logger';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../test/support/images.ts';
import { deletePrefix, testRedis, uniquePrefix } from '../../../test/support/redis.ts';
import { meanAbsScoreDiff, ShadowRunner } from './shadow-runner.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Shadow runs on the reference model: compared and recorded, or dropped beyond the in-flight bound. */
describe('ShadowRunner (reference model, real Redis)', () => {
  const prefix = uniquePrefix('shadow');
  let redis: Redis;
  let server: ModelServer;

  beforeAll(async () => {
    redis = testRedis();
    server = await ModelServer.start(
      loadModelRepository(path.join(ROOT, 'models')),
      {
        providers: ['cpu'],
        intraOpNumThreads: 1,
        cudaDeviceId: 0,
        graphOptimizationLevel: 'all',
        enableCpuMemArena: true,
        intraOpSpinning: false,
      },
      { windowMs: 0, maxBatchSize: 4 },
    );
  });
  afterAll(async () => {
    await server?.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('compares up to its bound and drops the rest without queueing them', async () => {
    const stats = new ShadowStatsStore(redis, prefix);
    const runner = new ShadowRunner({
      server,
      stats,
      logger: createLogger({ name: 'worker', level: 'silent' }),
      maxInFlight: 2,
      saturatedAt: 100,
    });
    const { input } = server.resolve('plant-pathology').entry.config;
    const { pixels } = await decodeImage(await solidImage(COLOURS.green, 'png', 64), input, { maxInputPixels: 1e7 });
    const primary = await server.infer('plant-pathology', '1', pixels);
    for (let i = 0; i < 5; i++) {
      runner.submit(
        '1',
        { model: 'plant-pathology', version: '1', predictions: primary.predictions, inferenceMs: 1 },
        pixels,
      );
    }
    await runner.drained();
    const [candidate] = await stats.read('plant-pathology');
    expect(candidate).toMatchObject({ candidate: '1', compared: 2, top1_agreement: 1, dropped: 3 });
    expect(candidate?.mean_abs_score_diff).toBeCloseTo(0, 6);
  });

  it('measures the mean absolute score difference label by label', () => {
    const a = [
      { label: 'x', score: 0.7 },
      { label: 'y', score: 0.3 },
    ];
    const b = [
      { label: 'y', score: 0.6 },
      { label: 'x', score: 0.4 },
    ];
    expect(meanAbsScoreDiff(a, b)).toBeCloseTo(0.3, 9);
  });
});
