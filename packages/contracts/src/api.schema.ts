import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors.ts';

/** Every API error body: `{ "error": { "code", "message", "details"? } }` (documented in /openapi.json). */
export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
        message: z.string(),
        details: z.unknown().optional(),
      })
      .strict(),
  })
  .strict();

/** `GET /healthz`: the process answers. */
export const healthSchema = z.object({ status: z.literal('ok') }).strict();

/** `GET /readyz`: 200 `ready` or 503 `not_ready`, with what was checked. */
export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ redis: z.boolean(), workers: z.number().int().nonnegative() }),
  })
  .strict();
export type Readiness = z.infer<typeof readinessSchema>;
