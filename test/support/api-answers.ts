import type { JobAccepted } from '@infer/contracts';
import { expect } from 'vitest';

/** The API's error body (`{ error: { code, message, details? } }`). */
export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

/** POST a JSON body to the API at `baseUrl` (a submission unless `path` says otherwise). */
export const postJson = (baseUrl: string, body: unknown, headers: Record<string, string> = {}, path = '/v1/jobs') =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** Expects 202 and returns the accepted job (the body in the failure message otherwise). */
export async function accepted(response: Response): Promise<JobAccepted> {
  const body = await response.text();
  expect(response.status, body).toBe(202);
  return JSON.parse(body) as JobAccepted;
}

/** Expects an error answer with this status and code (and the field it names, if given); returns its body. */
export async function refused(response: Response, status: number, code: string, field?: string): Promise<ErrorBody> {
  const body = (await response.json()) as ErrorBody;
  expect({ status: response.status, code: body.error.code }, JSON.stringify(body)).toEqual({ status, code });
  if (field !== undefined) expect(body.error.details?.field).toBe(field);
  return body;
}

/** Small limits the submission tests refuse against: 256 KB per upload, 4 images or 1 MB per batch, image_url to 127.0.0.1 with 2 redirects. */
export const SUBMISSION_LIMITS_ENV = {
  MAX_UPLOAD_BYTES: String(256 * 1024),
  MAX_BATCH_IMAGES: '4',
  MAX_BATCH_BYTES: String(1024 * 1024),
  SSRF_ALLOWLIST: '127.0.0.1',
  IMAGE_URL_MAX_REDIRECTS: '2',
} as const;
