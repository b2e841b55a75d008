import { describe, expect, it } from 'vitest';
import { judgeStatus, parseRetryAfter, retryDelay } from './retry-policy.ts';

describe('judgeStatus', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(judgeStatus(status)).toEqual({ kind: 'delivered' });
  });
  it.each([301, 302, 307, 308, 408, 409, 425, 429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(judgeStatus(status).kind).toBe('retry');
  });
  it.each([400, 401, 403, 404, 405, 410, 413, 415, 422])('%i stops the series', (status) => {
    expect(judgeStatus(status)).toEqual({ kind: 'stop' });
  });
  it('carries Retry-After of a retried answer', () => {
    expect(judgeStatus(429, '7')).toEqual({ kind: 'retry', retryAfterMs: 7000 });
    expect(judgeStatus(503, ['2'])).toEqual({ kind: 'retry', retryAfterMs: 2000 });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores garbage', () => {
    const now = Date.parse('2026-11-24T05:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 05:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 04:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  const schedule = [5_000, 300_000, 1_800_000, 7_200_000];

  it('follows the schedule within +-10 % jitter', () => {
    expect(retryDelay(schedule, 1, undefined, () => 0.5)).toBe(5_000);
    expect(retryDelay(schedule, 2, undefined, () => 0)).toBe(270_000);
    expect(retryDelay(schedule, 3, undefined, () => 0.999999)).toBeCloseTo(1_980_000, -1);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelay(schedule, 4);
      expect(delay).toBeGreaterThanOrEqual(6_480_000);
      expect(delay).toBeLessThanOrEqual(7_920_000);
    }
  });

  it('waits at least Retry-After, but never longer than the longest scheduled delay', () => {
    expect(retryDelay(schedule, 1, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelay(schedule, 2, 1_000, () => 0.5)).toBe(300_000);
    expect(retryDelay(schedule, 1, 86_400_000, () => 0.5)).toBe(7_200_000);
  });

  it('reuses the last entry past the end of the schedule', () => {
    expect(retryDelay(schedule, 9, undefined, () => 0.5)).toBe(7_200_000);
  });
});
