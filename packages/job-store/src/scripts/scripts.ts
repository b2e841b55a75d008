import { readFileSync } from 'node:fs';
import { AppError } from '@infer/contracts';

/** A Lua script kept as a `*.lua` file beside this one, with its KEYS/ARGV/returns header. */
export const luaScript = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

/** Numeric replies of our scripts other than success (0), each mapped to its error in `scriptError`. */
export const SCRIPT_REPLY = {
  ok: 0,
  idempotencyClaimLost: 1,
} as const;

/** The error a script's numeric reply stands for; undefined for success. */
export function scriptError(reply: number): AppError | undefined {
  switch (reply) {
    case SCRIPT_REPLY.ok:
      return undefined;
    case SCRIPT_REPLY.idempotencyClaimLost:
      return new AppError(
        'idempotency_key_in_progress',
        'this request took longer than its Idempotency-Key claim and another request now holds the key; retry to get its answer',
        { details: { field: 'Idempotency-Key' }, headers: { 'Retry-After': '1' } },
      );
    default:
      return new AppError('internal_error', `unexpected reply ${reply} from a job-store script`);
  }
}
