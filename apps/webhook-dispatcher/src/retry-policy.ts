import type { BackoffOptions, BackoffStrategy } from 'bullmq';

/**
 * What an attempt's answer means and how long to wait before the next one.
 * 2xx is delivered. Timeouts, connection errors, 408, 409, 425, 429, 5xx (and
 * redirects, which are never followed) are retried on the schedule; any other
 * 4xx means the endpoint refuses the message for good (e.g. 400, 401, 404, 410)
 * and stops the series early.
 */
export type AttemptVerdict =
  | { kind: 'delivered' }
  | { kind: 'retry'; retryAfterMs?: number | undefined }
  | { kind: 'stop' };

const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

export function judgeStatus(status: number, retryAfter?: string | string[] | undefined): AttemptVerdict {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) return { kind: 'stop' };
  return { kind: 'retry', retryAfterMs: parseRetryAfter(retryAfter) };
}

/** Retry-After as delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; Date.parse alone would take "-5" for a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delay before attempt `attemptsMade + 1`: the schedule's entry with +-10 %
 * jitter (so that deliveries failing together do not retry together), or the
 * receiver's Retry-After when longer, capped at the schedule's longest delay.
 */
export function retryDelay(
  schedule: readonly number[],
  attemptsMade: number,
  retryAfterMs?: number | undefined,
  random: () => number = Math.random,
): number {
  const base = schedule[Math.min(Math.max(attemptsMade - 1, 0), schedule.length - 1)] ?? 0;
  const jittered = Math.round(base * (0.9 + 0.2 * random()));
  if (retryAfterMs === undefined) return jittered;
  const cap = Math.max(...schedule, 0);
  return Math.max(jittered, Math.min(retryAfterMs, cap));
}

/** Thrown to make BullMQ retry after exactly `delayMs` (read back by the backoff strategy). */
export class DeliveryRetry extends Error {
  readonly delayMs: number;

  constructor(message: string, delayMs: number) {
    super(message);
    this.delayMs = delayMs;
    this.name = 'DeliveryRetry';
  }
}

/** Name of our BullMQ custom backoff: the worker's strategy takes the delay the attempt chose. */
const WEBHOOK_BACKOFF = 'webhook-schedule';

/**
 * The retry schedule of a delivery series (WEBHOOK_RETRY_SCHEDULE) and all that BullMQ
 * needs of it: the relay adds each delivery with `attempts` and `backoff`, the failed
 * attempt chooses its delay (`delayAfter`, thrown in a DeliveryRetry), and the worker's
 * `backoffStrategy` hands that delay to BullMQ, whose delayed set holds the retry
 * durably across dispatcher restarts.
 */
export interface RetrySchedule {
  /** Delays before retries, ms. */
  readonly delays: readonly number[];
  /** Attempts per delivery series: the first, then one per delay. */
  readonly attempts: number;
  /** The delivery job's backoff option: our custom strategy, by name. */
  readonly backoff: BackoffOptions;
  /** BullMQ's custom backoff strategy (worker settings). */
  readonly backoffStrategy: BackoffStrategy;
  /** Delay before the attempt after `attempt`, given the receiver's Retry-After. */
  delayAfter(attempt: number, retryAfterMs?: number | undefined): number;
}

export function retrySchedule(delays: readonly number[]): RetrySchedule {
  return {
    delays,
    attempts: delays.length + 1,
    backoff: { type: WEBHOOK_BACKOFF },
    // The attempt chose its delay (schedule + jitter, or the receiver's Retry-After).
    backoffStrategy: (attemptsMade, _type, error) =>
      error instanceof DeliveryRetry ? error.delayMs : retryDelay(delays, attemptsMade),
    delayAfter: (attempt, retryAfterMs) => retryDelay(delays, attempt, retryAfterMs),
  };
}
