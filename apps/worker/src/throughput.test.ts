import { describe, expect, it } from 'vitest';
import { ThroughputWindow } from './throughput.ts';

describe('ThroughputWindow', () => {
  it('reports jobs per second over the window, per model, forgetting what fell out of it', () => {
    const start = Date.now();
    const window = new ThroughputWindow(10, start);
    for (let i = 0; i < 20; i++) window.record('a', start + i * 100);
    window.record('b', start);
    // Two seconds in: 20 jobs of a, 1 of b.
    expect(window.rates(start + 2000)).toEqual({ a: 10, b: 0.5 });
    // Thirty seconds later nothing is left in a ten-second window.
    expect(window.rates(start + 30_000)).toEqual({ a: 0, b: 0 });
  });
});
