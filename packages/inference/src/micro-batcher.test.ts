import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

const doubler = () => {
  const batches: number[][] = [];
  const batcher = new MicroBatcher<number, number>(
    async (_key, inputs) => {
      batches.push(inputs);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return inputs.map((x) => x * 2);
    },
    { windowMs: 10, maxBatchSize: 4 },
  );
  return { batcher, batches };
};

describe('MicroBatcher', () => {
  it('gathers concurrent items into one batch and answers each with its own output', async () => {
    const { batcher, batches } = doubler();
    const outcomes = await Promise.all([1, 2, 3].map((x) => batcher.submit('m', x)));
    expect(outcomes.map((o) => o.output)).toEqual([2, 4, 6]);
    expect(outcomes.every((o) => o.batchSize === 3)).toBe(true);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('starts a batch as soon as it is full and queues the rest for the next', async () => {
    const { batcher, batches } = doubler();
    const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => batcher.submit('m', x)));
    expect(outcomes.map((o) => o.output)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('keeps models apart and honours a per-model maximum', async () => {
    const { batcher, batches } = doubler();
    await Promise.all([batcher.submit('a', 1, 1), batcher.submit('a', 2, 1), batcher.submit('b', 3)]);
    expect(batches).toContainEqual([1]);
    expect(batches).toContainEqual([2]);
    expect(batches).toContainEqual([3]);
  });

  it('fails every item of a failed batch, and only those', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (_key, inputs) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return inputs;
      },
      { windowMs: 5, maxBatchSize: 2 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((x) => batcher.submit('m', x)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('drained() waits for queued and running batches', async () => {
    const { batcher } = doubler();
    const pending = [1, 2, 3, 4, 5].map((x) => batcher.submit('m', x));
    expect(batcher.size).toBeGreaterThan(0);
    await batcher.drained();
    expect(batcher.size).toBe(0);
    await Promise.all(pending);
  });

  it('withdraws an item whose signal aborts before its batch starts, and no other', async () => {
    const { batcher, batches } = doubler();
    const controller = new AbortController();
    const kept = batcher.submit('m', 1);
    const withdrawn = batcher.submit('m', 2, undefined, controller.signal);
    controller.abort(new Error('timed out'));
    await expect(withdrawn).rejects.toThrow('timed out');
    expect((await kept).output).toBe(2);
    expect(batches).toEqual([[1]]);
  });

  it('lets a running batch finish when its signal aborts', async () => {
    const { batcher } = doubler();
    const controller = new AbortController();
    const running = batcher.submit('m', 3, 1, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('too late'));
    expect((await running).output).toBe(6);
  });

  it('close() rejects waiting items and new ones, while the running batch completes', async () => {
    const { batcher, batches } = doubler();
    const first = [1, 2, 3, 4].map((x) => batcher.submit('m', x)); // full: runs at once
    const waiting = batcher.submit('m', 5);
    batcher.close(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    await expect(batcher.submit('m', 6)).rejects.toThrow('shutting down');
    expect((await Promise.all(first)).map((o) => o.output)).toEqual([2, 4, 6, 8]);
    await batcher.drained();
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });
});

describe('MicroBatcher with flushWhenNothingExpected', () => {
  const recording = () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (_key, inputs) => {
        batches.push(inputs);
        return inputs;
      },
      // A window far longer than the test: only the arrival logic can start batches early.
      { windowMs: 60_000, maxBatchSize: 8, flushWhenNothingExpected: true },
    );
    return { batcher, batches };
  };

  it('runs a lone item at once when nothing else is on its way', async () => {
    const { batcher, batches } = recording();
    const outcome = await batcher.submit('m', 1);
    expect(outcome.batchSize).toBe(1);
    expect(batches).toEqual([[1]]);
  });

  it('waits for announced items, then runs them together as soon as the last arrives', async () => {
    const { batcher, batches } = recording();
    const arrivals = [1, 2, 3].map(() => batcher.expect('m'));
    const first = batcher.submit('m', 1);
    arrivals[0]?.();
    const second = batcher.submit('m', 2);
    arrivals[1]?.();
    expect(batches).toEqual([]); // one more is coming: the batch waits
    const third = batcher.submit('m', 3);
    arrivals[2]?.();
    await Promise.all([first, second, third]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('stops waiting for an announced item that will not come', async () => {
    const { batcher, batches } = recording();
    const coming = batcher.expect('m');
    const given = batcher.expect('m');
    const first = batcher.submit('m', 1);
    given();
    expect(batches).toEqual([]);
    coming(); // e.g. its image failed to decode
    coming(); // idempotent
    await first;
    expect(batches).toEqual([[1]]);
  });
});
