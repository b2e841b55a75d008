import { AppError } from '@infer/contracts';
import { RateLimitWindow, type RedisKeys } from '@infer/job-store';
import type { RedisClient } from '@infer/redis';
import type { RequestHandler } from 'express';
import { principalOf } from './auth.ts';

export interface RateLimitOptions {
  /** Requests allowed per window per principal. */
  limit: number;
  windowMs?: number;
  /** Where the counters live (`rateLimit`, one per principal). */
  keys: RedisKeys;
}

/**
 * Per-principal request limit in Redis, shared by every API replica. The
 * principal is the authenticated key or JWT subject, or the client address
 * while auth is off. Every answer carries `RateLimit-Limit`, `-Remaining` and
 * `-Reset` (IETF draft "RateLimit header fields for HTTP"); a refused one is
 * `429 rate_limited` with `Retry-After`.
 */
export function rateLimit(redis: RedisClient, options: RateLimitOptions): RequestHandler {
  const windowMs = options.windowMs ?? 60_000;
  // One fixed window per principal (RateLimitWindow: INCR and PEXPIRE in one step).
  const window = new RateLimitWindow(redis, options.keys, windowMs);
  const policy = `${options.limit};w=${Math.round(windowMs / 1000)}`;

  return async (req, res, next) => {
    const principal = principalOf(req)?.id ?? `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    const { count, resetMs } = await window.hit(principal);
    const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit-Limit', String(options.limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, options.limit - count)));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (count > options.limit) {
      throw new AppError('rate_limited', `more than ${options.limit} requests in ${policy.split('w=')[1]} s`, {
        details: { limit: options.limit, window_seconds: Math.round(windowMs / 1000), retry_after: resetSeconds },
        headers: { 'Retry-After': String(resetSeconds) },
      });
    }
    next();
  };
}
