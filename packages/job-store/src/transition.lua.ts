import { WEBHOOK_OUTBOX_LUA } from './webhook-outbox.lua.ts';

/**
 * Atomic state change of a job record, so that a cancel racing a worker has
 * exactly one winner. Returns {1, previous} when applied, {0, current} when the
 * current status is not one of the allowed ones ('' if the record is gone).
 *
 * KEYS[1] job hash, KEYS[2] image payload, KEYS[3] webhook outbox stream
 * ARGV[1] allowed current statuses, comma-separated
 * ARGV[2] new status
 * ARGV[3] TTL in seconds applied to the record when terminal ('' if not terminal);
 *         a terminal state also deletes the image payload
 * ARGV[4] channel to publish ARGV[5] on
 * ARGV[6] id of the webhook event this change emits if the job subscribed to it
 *         (see WEBHOOK_OUTBOX_LUA; '' never emits), ARGV[7] its time (ISO 8601)
 * ARGV[8..] field, value pairs to set
 */
export const TRANSITION_SCRIPT = `${WEBHOOK_OUTBOX_LUA}
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {0, ''} end
local allowed = false
for status in string.gmatch(ARGV[1], '[^,]+') do
  if status == current then allowed = true end
end
if not allowed then return {0, current} end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 8, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
webhook_emit(KEYS[1], KEYS[3], ARGV[2], ARGV[6], ARGV[7])
if ARGV[3] ~= '' then
  redis.call('DEL', KEYS[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return {1, current}
`;
