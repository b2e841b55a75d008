/**
 * Every numeric reply of our Lua scripts, named once (as BullMQ's src/enums/error-code.ts
 * names its scripts' codes). Lua cannot import: a script returns the number, and its header
 * (and a comment at the `return`) says which name it is. Two families share values:
 * status codes (`ok` or why not) and compare-and-set answers (`applied` or not).
 */
export const SCRIPT_REPLY = {
  // Status codes: create-jobs.lua, and the first element of redeliver-webhook.lua's reply.
  ok: 0,
  /** create-jobs.lua: the Idempotency-Key claim is no longer this request's; nothing was written. */
  idempotencyClaimLost: 1,
  /** redeliver-webhook.lua: the job's record is gone. */
  redeliveryJobNotFound: 2,
  /** redeliver-webhook.lua: the job has no webhook. */
  redeliveryNoWebhook: 3,
  /** redeliver-webhook.lua: the job has not finished. */
  redeliveryNotTerminal: 4,
  /** redeliver-webhook.lua: the webhook was not subscribed to the job's terminal event (or it was never emitted). */
  redeliveryNotSubscribed: 5,
  /** redeliver-webhook.lua: a delivery of the event is still going on. */
  redeliveryPending: 6,

  // Compare-and-set answers: the first element of transition.lua's reply,
  // record-webhook-attempt.lua, release-claim.lua, renew-claim.lua.
  applied: 1,
  notApplied: 0,
} as const;

/** The refusals of redeliver-webhook.lua, by reply, as the API names them. */
export const REDELIVERY_REFUSALS = {
  [SCRIPT_REPLY.redeliveryJobNotFound]: 'not_found',
  [SCRIPT_REPLY.redeliveryNoWebhook]: 'no_webhook',
  [SCRIPT_REPLY.redeliveryNotTerminal]: 'not_terminal',
  [SCRIPT_REPLY.redeliveryNotSubscribed]: 'not_subscribed',
  [SCRIPT_REPLY.redeliveryPending]: 'pending',
} as const;
export type RedeliveryRefusal = (typeof REDELIVERY_REFUSALS)[keyof typeof REDELIVERY_REFUSALS];
