import { describe, expect, it } from 'vitest';
import { MAX_WAIT_SECONDS, preferredWait } from './job-waiter.ts';

describe('preferredWait (RFC 7240 Prefer: wait)', () => {
  it.each([
    [undefined, undefined],
    ['wait=5', 5],
    ['WAIT = 7', 7],
    ['respond-async, wait=10', 10],
    ['wait="12"', 12],
    ['wait=3; foo=bar', 3],
    [['handling=lenient', 'wait=4'], 4],
    ['wait=0', 0],
    // Longer asks are cut to the maximum (and Preference-Applied says so).
    ['wait=3600', MAX_WAIT_SECONDS],
    // Malformed or absent values are ignored, as RFC 7240 asks.
    ['wait=-1', undefined],
    ['wait=abc', undefined],
    // Bare `wait` (Replicate's clients send it): as long as the API waits at all.
    ['wait', 60],
    ['return=minimal', undefined],
    ['nowait=5', undefined],
  ] as [string | string[] | undefined, number | undefined][])('%j -> %j', (header, expected) => {
    expect(preferredWait(header)).toBe(expected);
  });
});
