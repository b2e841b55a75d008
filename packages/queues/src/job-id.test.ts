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

  it('name nothing when they do not have the shape', () => {
    for (const id of ['', 'abc', `${newJobId()}:image`, crypto.randomUUID()]) {
      expect(isJobId(id)).toBe(false);
      expect(jobIdTime(id)).toBeUndefined();
    }
  });
});
