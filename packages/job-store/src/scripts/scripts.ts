import { readFileSync } from 'node:fs';
import { AppError } from '@infer/contracts';
import type { Redis } from 'ioredis';
import { lifecycleLua } from '../lifecycle.ts';

/**
 * Every Lua script of the system, one `*.lua` file each beside this one with a
 * KEYS/ARGV/returns header; a line `--@include "name.lua"` pastes a shared file
 * in its place. `scriptsOf(redis)` registers all of them once per connection
 * (EVALSHA, falling back to EVAL) and hands out typed commands; numeric replies
 * other than success are turned into errors in one place (`scriptError`,
 * `REDELIVERY_REFUSALS`).
 */

/** Includes rendered from TypeScript rather than read from a file. */
const GENERATED: Record<string, () => string> = { 'lifecycle.lua': lifecycleLua };

/** A script's text with its includes expanded (each shared file once per script). */
export function luaScript(name: string, seen = new Set<string>()): string {
  const text = GENERATED[name]?.() ?? readFileSync(new URL(name, import.meta.url), 'utf8');
  return text.replace(/^--@include "([\w.-]+\.lua)"$/gm, (_line, included: string) => {
    if (seen.has(included)) return '';
    seen.add(included);
    return luaScript(included, seen);
  });
}

/** Each command: its file and how many KEYS it takes (undefined: the caller passes the count first). */
const SCRIPTS = {
  inferCreateJobs: { file: 'create-jobs.lua', keys: undefined },
  inferTransition: { file: 'transition.lua', keys: 3 },
  inferRedeliverWebhook: { file: 'redeliver-webhook.lua', keys: 2 },
  inferRecordWebhookAttempt: { file: 'record-webhook-attempt.lua', keys: 1 },
  inferReleaseClaim: { file: 'release-claim.lua', keys: 1 },
  inferRenewClaim: { file: 'renew-claim.lua', keys: 1 },
  inferRateLimitWindow: { file: 'rate-limit-window.lua', keys: 1 },
} as const;

type Arg = string | Buffer;
export interface ScriptCommands {
  createJobs: (numberOfKeys: number, ...keysAndArgs: Arg[]) => Promise<number>;
  transition: (...keysAndArgs: Arg[]) => Promise<[number, string]>;
  /** transition with bulk replies as Buffers (the `start` verb answers the binary image payload). */
  transitionBuffer: (...keysAndArgs: Arg[]) => Promise<[number, Buffer, (Buffer | null)?]>;
  redeliverWebhook: (jobKey: string, outboxKey: string) => Promise<[number, string?, string?, string?]>;
  recordWebhookAttempt: (jobKey: string, ...args: Arg[]) => Promise<number>;
  releaseClaim: (key: string, claim: string) => Promise<number>;
  renewClaim: (key: string, claim: string, ttlSeconds: string) => Promise<number>;
  rateLimitWindow: (key: string, windowMs: string) => Promise<[number, number]>;
}

const TEXTS = Object.fromEntries(Object.entries(SCRIPTS).map(([name, { file }]) => [name, luaScript(file)]));
const registered = new WeakMap<Redis, ScriptCommands>();

/** The scripts as commands of this connection (registered on first use). */
export function scriptsOf(redis: Redis): ScriptCommands {
  const known = registered.get(redis);
  if (known) return known;
  for (const [name, { keys }] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { lua: TEXTS[name] as string, numberOfKeys: keys });
  }
  // ioredis defines `<name>Buffer` beside each command: the same script, bulk replies as Buffers.
  const command = (name: keyof typeof SCRIPTS | `${keyof typeof SCRIPTS}Buffer`) => {
    const fn = (redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name] as (
      ...args: unknown[]
    ) => Promise<unknown>;
    return fn.bind(redis);
  };
  const commands = {
    createJobs: command('inferCreateJobs'),
    transition: command('inferTransition'),
    transitionBuffer: command('inferTransitionBuffer'),
    redeliverWebhook: command('inferRedeliverWebhook'),
    recordWebhookAttempt: command('inferRecordWebhookAttempt'),
    releaseClaim: command('inferReleaseClaim'),
    renewClaim: command('inferRenewClaim'),
    rateLimitWindow: command('inferRateLimitWindow'),
  } as unknown as ScriptCommands;
  registered.set(redis, commands);
  return commands;
}

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

/** Refusal codes of redeliver-webhook.lua. */
export const REDELIVERY_REFUSALS = {
  2: 'not_found',
  3: 'no_webhook',
  4: 'not_terminal',
  5: 'not_subscribed',
  6: 'pending',
} as const;
export type RedeliveryRefusal = (typeof REDELIVERY_REFUSALS)[keyof typeof REDELIVERY_REFUSALS];
