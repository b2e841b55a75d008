import { describe, expect, it } from 'vitest';
import { BatchTuner } from './batch-tuner.ts';

/** Feed a tuner batch timings from a cost model: fixed ms per batch plus ms per image. */
const calibrated = (tuner: BatchTuner, cost: (size: number) => number) => {
  for (const size of tuner.calibrationSizes()) tuner.record(size, cost(size));
  return tuner.choose();
};

describe('BatchTuner', () => {
  it('calibrates powers of two up to the bound, and the bound', () => {
    expect(new BatchTuner({ maxBatchSize: 12, latencyBudgetMs: 100 }).calibrationSizes()).toEqual([1, 2, 4, 8, 12]);
    expect(new BatchTuner({ maxBatchSize: 1, latencyBudgetMs: 100 }).calibrationSizes()).toEqual([1]);
  });

  it('picks the smallest size within 5% of the best throughput (a GPU-like fixed cost per batch)', () => {
    const tuner = new BatchTuner({ maxBatchSize: 32, latencyBudgetMs: 1000 });
    // 10 ms per batch + 1 ms per image: 1 -> 91 img/s, 8 -> 444, 16 -> 615, 32 -> 762.
    const choice = calibrated(tuner, (size) => 10 + size);
    expect(choice.limit).toBe(32);
    expect(choice.imagesPerSecond[1]).toBeCloseTo(1000 / 11, 5);
    // Per-image cost only (a CPU already using every core): batching gains nothing, so no batching.
    expect(calibrated(new BatchTuner({ maxBatchSize: 32, latencyBudgetMs: 1000 }), (size) => 20 * size).limit).toBe(1);
  });

  it('never chooses a size whose batch exceeds the latency budget, and falls back to 1 when every size does', () => {
    const tuner = new BatchTuner({ maxBatchSize: 32, latencyBudgetMs: 30 });
    expect(calibrated(tuner, (size) => 10 + size).limit).toBe(16); // 26 ms fits, 42 ms does not
    const slow = new BatchTuner({ maxBatchSize: 8, latencyBudgetMs: 30 });
    expect(calibrated(slow, (size) => 100 + size).limit).toBe(1);
  });

  it('never loses to batch size 1 on what it measured', () => {
    for (const perBatch of [0, 1, 5, 50]) {
      for (const perImage of [0.5, 2, 10]) {
        const cost = (size: number) => perBatch + perImage * size + (size > 4 ? size * size * 0.3 : 0);
        const tuner = new BatchTuner({ maxBatchSize: 16, latencyBudgetMs: 500 });
        const { limit, imagesPerSecond } = calibrated(tuner, cost);
        expect(imagesPerSecond[limit] as number).toBeGreaterThanOrEqual((imagesPerSecond[1] as number) * 0.95);
      }
    }
  });

  it('follows real batches: when larger batches get slower under load, the cap comes down', () => {
    const tuner = new BatchTuner({ maxBatchSize: 8, latencyBudgetMs: 1000, retuneEvery: 10, smoothing: 0.5 });
    expect(calibrated(tuner, (size) => 10 + size).limit).toBe(8);
    // Under load, size 8 now costs 8x size 1: per-image cost dominates.
    for (let i = 0; i < 10; i++) tuner.record(8, 160, 0);
    for (let i = 0; i < 10; i++) tuner.record(1, 20, 0);
    expect(tuner.limit).toBeLessThan(8);
  });

  it('probes one step above the cap when batches leave a backlog, and only then', () => {
    const tuner = new BatchTuner({ maxBatchSize: 16, latencyBudgetMs: 1000, probeEvery: 1 });
    calibrated(tuner, (size) => (size <= 4 ? 10 + size : 40 * size)); // cap 4
    expect(tuner.limit).toBe(4);
    expect(tuner.nextBatchLimit()).toBe(4);
    tuner.record(4, 14, 2); // fewer waiting than the cap: no probe
    expect(tuner.nextBatchLimit()).toBe(4);
    tuner.record(4, 14, 9);
    expect(tuner.nextBatchLimit()).toBe(8);
    expect(tuner.nextBatchLimit()).toBe(4); // one probe per backlog seen
  });

  it('spaces its probes under a steady backlog, so that the cap is what most batches run', () => {
    const tuner = new BatchTuner({ maxBatchSize: 16, latencyBudgetMs: 1000, retuneEvery: 1000 });
    calibrated(tuner, (size) => (size <= 4 ? 10 + size : 40 * size)); // cap 4
    const sizes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const size = tuner.nextBatchLimit();
      sizes.push(size);
      tuner.record(size, size === 4 ? 14 : 320, 16); // every batch leaves more than a cap waiting
    }
    const probes = sizes.filter((size) => size > 4).length;
    // probeEvery defaults to a fifth of retuneEvery (200 here): no probe in 100 batches after calibration...
    expect(probes).toBe(0);
    const eager = new BatchTuner({ maxBatchSize: 16, latencyBudgetMs: 1000, retuneEvery: 1000, probeEvery: 10 });
    calibrated(eager, (size) => (size <= 4 ? 10 + size : 40 * size));
    const eagerSizes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const size = eager.nextBatchLimit();
      eagerSizes.push(size);
      eager.record(size, size === 4 ? 14 : 320, 16);
    }
    // ...and with probeEvery 10, one batch in ten probes (at 8), the rest run the cap.
    expect(eagerSizes.filter((size) => size === 8)).toHaveLength(10);
    expect(eagerSizes.filter((size) => size === 4)).toHaveLength(90);
  });
});
