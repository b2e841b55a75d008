import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '@infer/contracts';
import { onSlotOwner, type RedisClient } from '@infer/redis';
import { Command, type Redis, ReplyError } from 'ioredis';

type NetStream = Redis['stream'];

import { type ReplicaWait, replicationShortfall } from '../durable-writes.ts';
import { lifecycleLua } from '../lifecycle.ts';
import { SCRIPT_REPLY } from './reply-codes.ts';

/**
 * Every Lua script of the system, one `*.lua` file each beside this one with a
 * KEYS/ARGV/returns header, naming its keys and arguments as locals at the top;
 * a line `--@include "name.lua"` pastes a shared part from includes/ in its place.
 * `scriptsOf(redis)` registers all of them once per connection (EVALSHA, falling
 * back to EVAL) and hands out typed commands; their numeric replies are named in
 * reply-codes.ts, and those other than success are turned into errors in one place
 * (`scriptError`, `REDELIVERY_REFUSALS`).
 */

/** Includes rendered from TypeScript rather than read from includes/. */
const GENERATED: Record<string, () => string> = { 'lifecycle.lua': lifecycleLua };
const INCLUDES = new URL('includes/', import.meta.url);

/** A script's text with its includes expanded (each shared part once per script). */
export function luaScript(file: string): string {
  return withIncludes(readFileSync(new URL(file, import.meta.url), 'utf8'), new Set());
}

function withIncludes(text: string, seen: Set<string>): string {
  return text.replace(/^--@include "([\w.-]+\.lua)"$/gm, (_line, included: string) => {
    if (seen.has(included)) return '';
    seen.add(included);
    return withIncludes(GENERATED[included]?.() ?? readFileSync(new URL(included, INCLUDES), 'utf8'), seen);
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
  inferBeatQueueWorkers: { file: 'beat-queue-workers.lua', keys: 1 },
  inferReclaimDeadLocks: { file: 'reclaim-dead-locks.lua', keys: 2 },
} as const;

type Arg = string | Buffer;
export type ScriptName = keyof typeof SCRIPTS;
export interface ScriptCommands {
  transition: (...keysAndArgs: Arg[]) => Promise<[number, string]>;
  redeliverWebhook: (jobKey: string, outboxKey: string) => Promise<[number, string?, string?, string?]>;
  recordWebhookAttempt: (jobKey: string, ...args: Arg[]) => Promise<number>;
  releaseClaim: (key: string, claim: string) => Promise<number>;
  renewClaim: (key: string, claim: string, ttlSeconds: string) => Promise<number>;
  rateLimitWindow: (key: string, windowMs: string) => Promise<[number, number]>;
  beatQueueWorkers: (key: string, agoMs: string, forgetAfterMs: string, ...workerIds: string[]) => Promise<number>;
  reclaimDeadLocks: (key: string, activeKey: string, queueKeyPrefix: string, deadAfterMs: string) => Promise<string[]>;
}

const TEXTS = Object.fromEntries(Object.entries(SCRIPTS).map(([name, { file }]) => [name, luaScript(file)])) as Record<
  ScriptName,
  string
>;
const SHAS = Object.fromEntries(
  Object.entries(TEXTS).map(([name, text]) => [name, createHash('sha1').update(text).digest('hex')]),
) as Record<ScriptName, string>;
const registered = new WeakMap<RedisClient, ScriptCommands>();

/**
 * The scripts as commands of this connection (registered on first use). On a Cluster each
 * runs on the node owning its first key's slot; all its keys share that slot (keys.ts).
 */
export function scriptsOf(redis: RedisClient): ScriptCommands {
  const known = registered.get(redis);
  if (known) return known;
  for (const [name, { keys }] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { lua: TEXTS[name as ScriptName], numberOfKeys: keys });
  }
  const command = (name: ScriptName) => {
    const fn = (redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name] as (
      ...args: unknown[]
    ) => Promise<unknown>;
    return fn.bind(redis);
  };
  const commands = {
    transition: command('inferTransition'),
    redeliverWebhook: command('inferRedeliverWebhook'),
    recordWebhookAttempt: command('inferRecordWebhookAttempt'),
    releaseClaim: command('inferReleaseClaim'),
    renewClaim: command('inferRenewClaim'),
    rateLimitWindow: command('inferRateLimitWindow'),
    beatQueueWorkers: command('inferBeatQueueWorkers'),
    reclaimDeadLocks: command('inferReclaimDeadLocks'),
  } as unknown as ScriptCommands;
  registered.set(redis, commands);
  return commands;
}

/** What a transaction's `queue` adds commands to (see `transaction`). */
export interface Transaction {
  /** A Redis command. */
  command: (name: string, ...args: Arg[]) => void;
  /** One of our scripts, by EVALSHA. */
  script: (name: ScriptName, ...keysAndArgs: Arg[]) => void;
}

/**
 * Run the commands `queue` adds as one MULTI/EXEC transaction on the node that owns
 * `slotKey` (every key in it must share that key's slot) and answer their raw replies
 * (bulk strings as Buffers); a failed command throws. On a Cluster the transaction goes to
 * the owner's own connection (packages/redis onSlotOwner), moving with the slot in a failover.
 *
 * Why a transaction rather than one script: a large string passed to a script (or returned
 * from one) costs Redis about 0.4 ms per 200 KB in Lua's string handling, twenty times a
 * plain SET or GET of the same bytes; so image bytes travel beside the script, in the same
 * atomic step. Scripts are called by EVALSHA, because ioredis's own fallback to EVAL would
 * resend a script outside the transaction. A script Redis does not know (a restarted or
 * flushed server) fails with NOSCRIPT: every script is loaded and the transaction run again
 * once, so the other commands in it must be safe to repeat (a SET of the same bytes, a GET).
 *
 * With `wait` (replicas > 0), `WAIT replicas timeoutMs` follows EXEC in the same write on the
 * same connection (see durable-writes.ts), so on a Cluster it counts the replicas of the
 * primary that took the write; fewer acknowledgements throw a 503 AppError.
 */
export function transaction(
  client: RedisClient,
  slotKey: string,
  queue: (tx: Transaction) => void,
  wait?: ReplicaWait,
): Promise<unknown[]> {
  return onSlotOwner(client, slotKey, (node) => transactionOn(node, queue, wait));
}

async function transactionOn(redis: Redis, queue: (tx: Transaction) => void, wait?: ReplicaWait): Promise<unknown[]> {
  for (let attempt = 1; ; attempt++) {
    const commands: [string, Arg[]][] = [];
    queue({
      command: (name, ...args) => commands.push([name, args]),
      script: (name, ...keysAndArgs) => {
        const keys = SCRIPTS[name].keys;
        commands.push([
          'evalsha',
          keys === undefined ? [SHAS[name], ...keysAndArgs] : [SHAS[name], String(keys), ...keysAndArgs],
        ]);
      },
    });
    const replies = await execAtomically(redis, commands, wait && wait.replicas > 0 ? wait : undefined);
    const noScript = replies.some((reply) => reply instanceof Error && reply.message.startsWith('NOSCRIPT'));
    if (noScript && attempt === 1) {
      await Promise.all(Object.values(TEXTS).map((text) => redis.script('LOAD', text)));
      continue;
    }
    for (const reply of replies) if (reply instanceof Error) throw reply;
    if (wait && wait.replicas > 0) {
      const acknowledged = replies.pop() as number;
      if (acknowledged < wait.replicas) throw replicationShortfall(acknowledged, wait.replicas);
    }
    return replies;
  }
}

/**
 * MULTI, the commands and EXEC, sent in one synchronous run: ioredis writes each command
 * to the connection as it is sent, so no other command of this process can fall between
 * them. Not `redis.multi()`: ioredis copies every command defined on the connection onto
 * each pipeline it builds, about 66 µs per call on one that carries BullMQ's 64 scripts.
 */
function execAtomically(redis: Redis, commands: readonly [string, Arg[]][], wait?: ReplicaWait): Promise<unknown[]> {
  let index = 0;
  const send = (name: string, args: Arg[]) => {
    const command = new Command(name, args, { replyEncoding: null });
    // Marked as ioredis marks its own transactions: if the connection drops after some of
    // them were answered, ioredis aborts the rest instead of resending them on reconnect
    // without their MULTI (they would run one by one, outside any transaction).
    command.inTransaction = true;
    command.pipelineIndex = index++;
    return redis.sendCommand(command) as Promise<unknown>;
  };
  // Corked, the socket writes them with one writev instead of a syscall per command.
  const socket = redis.stream as NetStream | undefined;
  socket?.cork();
  const queued = [send('multi', []), ...commands.map(([name, args]) => send(name, args))];
  const exec = send('exec', []) as Promise<unknown[]>;
  // The WAIT carries the next pipeline index: should the connection drop after EXEC was answered,
  // ioredis aborts it rather than resending it alone on the next connection, where it would wait
  // for nothing that connection wrote and confirm at once.
  const acknowledged = wait && (send('wait', [String(wait.replicas), String(wait.timeoutMs)]) as Promise<number>);
  socket?.uncork();
  // Their replies (OK, QUEUED) carry nothing: EXEC answers for them, or fails with EXECABORT
  // when Redis refused a command as it was queued (OOM under noeviction, a READONLY replica).
  // Then the refusal is the error worth raising: callers map OOM and READONLY, not EXECABORT.
  const refusals = queued.map((reply) =>
    reply.then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  const replies = exec.catch(async (error: unknown) => {
    const refusal = (await Promise.all(refusals)).find((reason) => reason !== undefined);
    throw refusal ?? error;
  });
  if (!acknowledged) return replies;
  // EXEC's outcome first: a transaction refused as it was queued (MOVED or READONLY from a node
  // that is a replica now) must raise that refusal, which onSlotOwner and the callers handle, not
  // the error of the WAIT behind it ("WAIT cannot be used with replica instances"), which arrives
  // in the same reply and would otherwise win the race. A WAIT refused after a transaction that
  // ran (its node was demoted in between) confirmed nothing: 0 replicas.
  const count = acknowledged.catch((error: unknown) => {
    if (error instanceof ReplyError) return 0;
    throw error;
  });
  count.catch(() => undefined); // raised through the chain below, or moot if EXEC failed
  return replies.then(async (execReplies) => [...execReplies, await count]);
}

/** The error a status code of create-jobs.lua stands for; undefined for success. */
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
