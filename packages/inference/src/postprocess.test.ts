import { type ModelConfig, modelConfigSchema } from '@infer/contracts';
import { describe, expect, it } from 'vitest';
import { activate, toPredictions } from './postprocess.ts';

const config = (output: Partial<ModelConfig['output']>, extra: Partial<ModelConfig> = {}): ModelConfig =>
  modelConfigSchema.parse({
    name: 'm',
    labels: ['a', 'b', 'c'],
    input: { name: 'input', width: 8, height: 8 },
    output: { name: 'logits', ...output },
    ...extra,
  });

describe('toPredictions', () => {
  it('softmax: scores sum to 1, best first, every label present', () => {
    const predictions = toPredictions(Float32Array.from([1, 3, 2]), config({}));
    expect(predictions.map((p) => p.label)).toEqual(['b', 'c', 'a']);
    expect(predictions.reduce((sum, p) => sum + p.score, 0)).toBeCloseTo(1, 6);
    const e = [Math.exp(1), Math.exp(3), Math.exp(2)];
    const total = e[0]! + e[1]! + e[2]!;
    expect(predictions[0]?.score).toBeCloseTo(e[1]! / total, 6);
  });

  it('softmax stays finite for large logits', () => {
    const predictions = toPredictions([1000, 999, -1000], config({}));
    expect(predictions.every((p) => Number.isFinite(p.score))).toBe(true);
    expect(predictions[0]).toMatchObject({ label: 'a' });
  });

  it('sigmoid with a threshold: independent scores, only labels at or above it (multi-label)', () => {
    const predictions = toPredictions([2, -2, 0], config({ activation: 'sigmoid', threshold: 0.5 }));
    expect(predictions.map((p) => p.label)).toEqual(['a', 'c']);
    expect(predictions[0]?.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(predictions[1]?.score).toBeCloseTo(0.5, 6);
    // Nothing positive: no prediction rather than a forced one.
    expect(toPredictions([-5, -5, -5], config({ activation: 'sigmoid', threshold: 0.5 }))).toEqual([]);
  });

  it('none passes the outputs through (already probabilities); top_k keeps the best k', () => {
    expect(activate([0.2, 0.7, 0.1], 'none')).toEqual([0.2, 0.7, 0.1]);
    const predictions = toPredictions([0.2, 0.7, 0.1], config({ activation: 'none' }, { top_k: 2 }));
    expect(predictions).toEqual([
      { label: 'b', score: 0.7 },
      { label: 'a', score: 0.2 },
    ]);
  });

  it('refuses an output row whose length is not the number of labels', () => {
    expect(() => toPredictions([1, 2], config({}))).toThrow(/2 values but model.json lists 3 labels/);
  });
});
