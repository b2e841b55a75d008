import { describe, expect, it } from 'vitest';
import { percentile } from './summary.ts';

describe('percentile (nearest rank)', () => {
  it('answers a value of the sample', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});
