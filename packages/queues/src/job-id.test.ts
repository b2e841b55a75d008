import { describe, expect, it } from 'vitest';
import { isJobId, jobIdTime, newJobId } from './job-id.ts';

describe('job ids (UUIDv7)', () => {
  it('carry their creation time and sort by it', () => {
    const at = Date.UTC(2026, 11, 1, 12, 0, 0, 123);
    const id = newJobId(at);
    expect(isJobId(id)).toBe(true);
    expect(jobIdTime(id)).toBe(at);
    const ids = [newJobId(at + 2), newJobId(at), newJobId(at + 1)];
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('differ within one millisecond, with 74 random bits in the RFC 9562 places', () => {
    const at = Date.now();
    const ids = Array.from({ length: 10_000 }, () => newJobId(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isJobId)).toBe(true);
    // Every hex digit after the version nibble takes more than one value across the ids.
    for (const place of [15, 16, 17, 20, 21, 22, ...Array.from({ length: 12 }, (_, i) => 24 + i)]) {
      expect(new Set(ids.map((id) => id[place])).size).toBeGreaterThan(1);
    }
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });

  it('name nothing when they do not have the shape', () => {
    for (const id of ['', 'abc', `${newJobId()}:image`, crypto.randomUUID()]) {
      expect(isJobId(id)).toBe(false);
      expect(jobIdTime(id)).toBeUndefined();
    }
  });
});
