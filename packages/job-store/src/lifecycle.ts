import { type JobError, type JobStatus, TERMINAL_STATUSES, WEBHOOK_EVENT_FOR_STATUS } from '@infer/contracts';

/**
 * Every way a job's status may change, in one table: each named verb, the
 * statuses it may leave from, and the one it enters. `JobStore.apply(verb, …)`
 * is the only way code changes a status; scripts/transition.lua takes the same
 * table (and which statuses are terminal, and the webhook event of each) from
 * here, rendered into Lua when the scripts load, so TypeScript and Lua cannot
 * disagree about a rule.
 */
export const LIFECYCLE = {
  /** A worker takes the job; `running` again when BullMQ retries it or recovers it after a stall. */
  start: { from: ['queued', 'running'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  /** A permanent failure, or the last attempt's. */
  fail: { from: ['running'], to: 'failed' },
  /** A transient failure: back to the queue for BullMQ's next attempt. */
  retry: { from: ['running'], to: 'queued' },
  /** The worker shuts down before the job's batch ran: back to the queue at once. */
  handBack: { from: ['running'], to: 'queued' },
  /** A client's cancel, which wins or loses atomically against `start`. */
  cancel: { from: ['queued'], to: 'canceled' },
  /** Still queued at its Cancel-After deadline (error `deadline_exceeded`). */
  expire: { from: ['queued'], to: 'canceled' },
  /** Its workers kept dying under it (a poison pill): failed instead of retried forever. */
  abandon: { from: ['queued', 'running'], to: 'failed' },
} as const satisfies Record<string, { from: readonly JobStatus[]; to: JobStatus }>;

export type LifecycleVerb = keyof typeof LIFECYCLE;

/** The error an expired job carries (written by the verb, wherever the deadline was noticed). */
export const DEADLINE_ERROR: JobError = {
  code: 'deadline_exceeded',
  message: 'the job was still queued at its Cancel-After deadline',
};

const luaString = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
const luaSet = (items: readonly string[]) => `{ ${items.map((item) => `[${luaString(item)}] = true`).join(', ')} }`;

/** The table and the status facts as Lua, for scripts/transition.lua (`--@include "lifecycle.lua"`). */
export function lifecycleLua(): string {
  const verbs = Object.entries(LIFECYCLE).map(
    ([verb, rule]) => `  [${luaString(verb)}] = { from = ${luaSet(rule.from)}, to = ${luaString(rule.to)} },`,
  );
  const events = Object.entries(WEBHOOK_EVENT_FOR_STATUS).map(
    ([status, event]) => `  [${luaString(status)}] = ${luaString(event as string)},`,
  );
  return [
    '-- Generated from packages/job-store/src/lifecycle.ts and @infer/contracts when the scripts load.',
    `local LIFECYCLE = {\n${verbs.join('\n')}\n}`,
    `local TERMINAL = ${luaSet(TERMINAL_STATUSES)}`,
    `local WEBHOOK_EVENT_FOR_STATUS = {\n${events.join('\n')}\n}`,
    '',
  ].join('\n');
}
