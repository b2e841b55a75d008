import { InferConnectionError } from './errors.ts';

export interface RetryPolicy {
  /** How long to keep retrying 429 and 503 answers in all, per request (default 10 minutes). */
  busyBudgetMs: number;
  /** Attempts after a connection failure before giving up (default 3). */
  connectionRetries: number;
  /** First backoff when the answer names no `Retry-After` (doubles up to maxDelayMs). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  busyBudgetMs: 10 * 60_000,
  connectionRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
};

/** Answers that mean "not now": the request is sent again after `Retry-After`. */
const BUSY = new Set([429, 503]);

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number, signal?: AbortSignal | null) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetryEvents {
  /** Called before each wait, e.g. to count 429s. */
  onRetry?: (reason: { status?: number; error?: unknown; delayMs: number; url: string }) => void;
}

/**
 * A fetch that sends a request again on 429/503 (after `Retry-After`, else with backoff and jitter) and on
 * a connection failure. Safe for submissions only because the client puts an `Idempotency-Key` on every one:
 * a repeat answers the job the first attempt made.
 */
export function retryingFetch(
  base: typeof fetch,
  policy: RetryPolicy,
  events: RetryEvents = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const started = Date.now();
    let busyAttempts = 0;
    let connectionFailures = 0;
    for (;;) {
      let response: Response;
      try {
        response = await base(request.clone());
      } catch (error) {
        if (request.signal.aborted) throw error;
        connectionFailures++;
        if (connectionFailures > policy.connectionRetries)
          throw new InferConnectionError(new URL(request.url).origin, error);
        const delayMs = backoff(policy, connectionFailures);
        events.onRetry?.({ error, delayMs, url: request.url });
        await sleep(delayMs, request.signal);
        continue;
      }
      if (!BUSY.has(response.status)) return response;
      busyAttempts++;
      const after = retryAfterMs(response.headers.get('retry-after'));
      // Up to 10 % over Retry-After: the many requests one full queue refused should not all come back at once.
      const delayMs = Math.min(
        after === undefined ? backoff(policy, busyAttempts) : after * (1 + Math.random() * 0.1),
        60_000,
      );
      if (Date.now() - started + delayMs > policy.busyBudgetMs) return response;
      await response.body?.cancel();
      events.onRetry?.({ status: response.status, delayMs, url: request.url });
      await sleep(delayMs, request.signal);
    }
  };
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
