--[[
  Atomic state change of a job record by one verb of packages/job-store/src/lifecycle.ts
  (LIFECYCLE, rendered into lifecycle.lua), so that a cancel racing a worker has exactly
  one winner and every rule lives in one table.

  KEYS[1] job hash, KEYS[2] image payload, KEYS[3] webhook outbox stream
  ARGV[1] the verb (start, succeed, fail, retry, handBack, cancel, expire, abandon)
  ARGV[2] TTL in seconds applied to the record when the verb's status is terminal;
          a terminal status also deletes the image payload
  ARGV[3] channel to publish ARGV[4] on
  ARGV[5] id of the webhook event this change emits if the job subscribed to it
          ('' never emits), ARGV[6] its time (ISO 8601)
  ARGV[7..] field, value pairs to set

  Returns {1, previous status} when applied, {0, current status} when the verb may not
  leave the current status ('' if the record is gone); an error for an unknown verb.
]]
--@include "lifecycle.lua"
--@include "webhook-outbox.lua"
local rule = LIFECYCLE[ARGV[1]]
if not rule then return redis.error_reply('unknown lifecycle verb ' .. ARGV[1]) end
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {0, ''} end
if not rule.from[current] then return {0, current} end
redis.call('HSET', KEYS[1], 'status', rule.to)
for i = 7, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
webhook_emit(KEYS[1], KEYS[3], rule.to, ARGV[5], ARGV[6])
if TERMINAL[rule.to] then
  redis.call('DEL', KEYS[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, current}
