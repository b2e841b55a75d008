import {
  ERROR_CODES,
  type ErrorCode,
  MAX_METADATA_BYTES,
  PRIORITY_MAX,
  PRIORITY_MIN,
  WEBHOOK_EVENTS,
} from '@infer/contracts';
import { z } from 'zod';
import { MAX_WAIT_SECONDS } from '../jobs/job-waiter.ts';

/**
 * Pieces the operations of every route module share: response helpers for the
 * OpenAPI document, and the zod schemas of common request parts (validated by
 * operation.ts, described in /openapi.json from the same declaration).
 */

export type Json = Record<string, unknown>;

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: Json) => ({ 'application/json': { schema } });

export const RETRY_AFTER = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } },
};
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': {
    description: 'requests allowed per window (when RATE_LIMIT_PER_MINUTE is set)',
    schema: { type: 'integer' },
  },
  'RateLimit-Remaining': { description: 'requests left in the window', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'seconds until the window resets', schema: { type: 'integer' } },
  'RateLimit-Policy': { description: 'the limit and window, e.g. `60;w=60`', schema: { type: 'string' } },
};

/** Codes whose answers say when to retry. */
const RETRY_AFTER_CODES: readonly ErrorCode[] = [
  'rate_limited',
  'queue_full',
  'service_unavailable',
  'idempotency_key_in_progress',
];
export const PREFERENCE_APPLIED = {
  'Preference-Applied': { description: 'the wait applied, when `Prefer: wait` was sent', schema: { type: 'string' } },
};
export const IDEMPOTENT_REPLAYED = {
  'Idempotent-Replayed': {
    description: '`true` when this answers an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};
export const LOCATION = (what: string) => ({ Location: { description: what, schema: { type: 'string' } } });

/**
 * Error responses of an operation, grouped by HTTP status; the documented body
 * only admits the listed codes, so an undocumented cause fails the conformance test.
 */
export function errors(...codes: ErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: list.map((code) => `\`${code}\``).join(', '),
        ...(status === 401
          ? {
              headers: {
                'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750)', schema: { type: 'string' } },
              },
            }
          : {}),
        ...(list.some((code) => RETRY_AFTER_CODES.includes(code)) ? { headers: RETRY_AFTER } : {}),
        content: json({
          allOf: [
            ref('Error'),
            { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: list } } } } },
          ],
        }),
      },
    ]),
  );
}

/** Errors every authenticated, rate-limited /v1 operation may answer. */
export const V1_ERRORS: ErrorCode[] = ['unauthorized', 'rate_limited', 'internal_error', 'service_unavailable'];

// ---- Request parts ----------------------------------------------------------------------

export const jobIdParams = z.object({ id: z.string().min(1).describe('job id (as answered on submission)') });

export const preferHeader = z
  .string()
  .describe(
    `\`wait=N\` (RFC 7240): hold the answer until the job is terminal or N seconds (at most ${MAX_WAIT_SECONDS}) ` +
      `have passed, then answer its state; a bare \`wait\` means ${MAX_WAIT_SECONDS}. The answer carries \`Preference-Applied: wait=N\`.`,
  )
  .meta({ examples: ['wait=30'] })
  .optional();

export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, '1 to 255 printable ASCII characters, sent once')
  .describe(
    'retrying with the same key (per client) answers the original job (`200`, `Idempotent-Replayed: true`) ' +
      'instead of creating another; the same key with a different request is `409 idempotency_key_reused`',
  )
  .optional();

export const cancelAfterHeader = z
  .string()
  .describe('seconds: a job still queued then is canceled (`error.code` `deadline_exceeded`) and never runs')
  .meta({ examples: ['30'] })
  .optional();

/** The options of a submission as form fields (multipart) or query parameters (raw image bodies). */
export const SUBMIT_OPTION_FIELDS = {
  model: { type: 'string' },
  version: { type: 'string' },
  priority: { type: 'integer', minimum: PRIORITY_MIN, maximum: PRIORITY_MAX },
  metadata: { type: 'string', description: `JSON object, at most ${MAX_METADATA_BYTES} bytes` },
  webhook_url: { type: 'string' },
  webhook_events: { type: 'string', description: `comma-separated: ${WEBHOOK_EVENTS.join(', ')}` },
} as const;

/** Query options of a raw-image submission (converted and checked like form fields by submit-body.ts). */
export const rawBodyQuery = z.object(
  Object.fromEntries(
    Object.entries(SUBMIT_OPTION_FIELDS).map(([name, schema]) => [
      name,
      z
        .string()
        .describe(
          `with a raw image body only (multipart and JSON bodies carry it as a field)${'description' in schema ? `; ${schema.description}` : ''}`,
        )
        .optional(),
    ]),
  ),
);

/** A multipart body: the `image` field (one file, or repeated) plus the options as form fields. */
export const multipartForm = (image: Json): Json => ({
  type: 'object',
  required: ['image'],
  properties: { image, ...SUBMIT_OPTION_FIELDS },
});

export const binaryFile: Json = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' };
