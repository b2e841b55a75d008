import cors from 'cors';
import type { RequestHandler } from 'express';

/** Headers a browser app may send to /v1, and those it may read from the answers. */
const REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'Prefer',
  'Cancel-After',
  'X-Request-Id',
  'Last-Event-ID',
];
const RESPONSE_HEADERS = [
  'Location',
  'Idempotent-Replayed',
  'X-Request-Id',
  'Retry-After',
  'Preference-Applied',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
];

/**
 * CORS for browser apps on other origins (CORS_ORIGINS): exact origins, or `*`.
 * Preflights are answered here, before authentication (they carry no credentials).
 * Bearer tokens travel in a header, never cookies, so credentials mode stays off.
 */
export function corsFor(origins: readonly string[]): RequestHandler {
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: REQUEST_HEADERS,
    exposedHeaders: RESPONSE_HEADERS,
    maxAge: 600,
  });
}
