import { describe, expect, it } from 'vitest';
import { runPeriodically } from './periodic.ts';

describe('runPeriodically', () => {
  it('never overlaps rounds, keeps going after an error, and stop() waits for the round in progress', async () => {
    let active = 0;
    let most = 0;
    let rounds = 0;
    const errors: unknown[] = [];
    const loop = runPeriodically(
      async () => {
        active++;
        most = Math.max(most, active);
        rounds++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        active--;
        if (rounds === 1) throw new Error('first round fails');
      },
      5,
      (error) => errors.push(error),
    );
    await expect.poll(() => rounds, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    await loop.stop();
    const after = rounds;
    expect(active).toBe(0);
    expect(most).toBe(1);
    expect(errors).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rounds).toBe(after);
  });
});
