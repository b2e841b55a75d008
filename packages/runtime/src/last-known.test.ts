import { describe, expect, it } from 'vitest';
import { LastKnown } from './last-known.ts';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failing = (ms: number) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error('CLUSTERDOWN')), ms));

describe('LastKnown', () => {
  it('answers the fresh read whenever it comes in time, and awaits it when nothing is known', async () => {
    const reads = new LastKnown<number>({ patienceMs: 50, maxAgeMs: 10_000 });
    expect(await reads.get('m', () => after(120, 1))).toBe(1); // nothing known yet: waited for
    expect(await reads.get('m', () => after(5, 2))).toBe(2);
    await expect(
      new LastKnown<number>({ patienceMs: 50, maxAgeMs: 10_000 }).get('m', () => failing(5)),
    ).rejects.toThrow(/CLUSTERDOWN/);
  });

  it('answers the last value when the read is slow or fails, and a late read still updates it', async () => {
    const reads = new LastKnown<number>({ patienceMs: 50, maxAgeMs: 10_000 });
    await reads.get('m', () => after(1, 1));
    // Answered the last value: the fresh read (2) had not come in yet.
    expect(await reads.get('m', () => after(300, 2))).toBe(1);
    expect(await reads.get('m', () => failing(5))).toBe(1);
    await after(300, undefined);
    expect(await reads.get('m', () => failing(5))).toBe(2); // the slow read came in meanwhile
    reads.update('m', (value) => value + 3);
    expect(await reads.get('m', () => failing(5))).toBe(5);
    expect(await reads.get('other', () => after(1, 7))).toBe(7); // keys apart
  });

  it('stops answering a value older than maxAgeMs', async () => {
    const reads = new LastKnown<number>({ patienceMs: 20, maxAgeMs: 50 });
    await reads.get('m', () => after(1, 1));
    await after(80, undefined);
    await expect(reads.get('m', () => failing(5))).rejects.toThrow(/CLUSTERDOWN/);
  });
});
