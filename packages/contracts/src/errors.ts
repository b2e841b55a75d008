/**
 * Every error the system reports, with its stable code and HTTP status. The API
 * answers `{ error: { code, message, details? } }`; failed jobs carry
 * `{ code, message }` in `error`. Codes never change meaning once published.
 */
export const ERROR_CODES = {
  invalid_request: 400,
  missing_image: 400,
  unknown_model: 400,
  ambiguous_image: 400,
  image_fetch_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  job_not_found: 404,
  route_not_found: 404,
  job_expired: 404,
  model_not_found: 404,
  file_not_found: 404,
  webhook_secret_not_configured: 404,
  idempotency_key_reused: 409,
  idempotency_key_in_progress: 409,
  job_not_cancelable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  queue_full: 429,
  internal_error: 500,
  service_unavailable: 503,
  // Job failure codes (reported in a failed job's `error.code`).
  invalid_image: 422,
  image_too_large: 422,
  image_missing: 410,
  inference_failed: 500,
  job_timeout: 504,
  deadline_exceeded: 408,
  // Outbound URLs (image_url, webhook_url) guarded against SSRF (@infer/ssrf-guard).
  url_not_allowed: 400,
  url_fetch_failed: 502,
  url_timeout: 504,
  url_too_large: 413,
  // POST /v1/jobs/:id/webhook/redeliver on a job without a deliverable event.
  webhook_not_redeliverable: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
