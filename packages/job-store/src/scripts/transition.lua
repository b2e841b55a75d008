--[[
  Atomic state change of a job record by one verb of packages/job-store/src/lifecycle.ts
  (LIFECYCLE, rendered into lifecycle.lua), so that a cancel racing a worker has exactly
  one winner and every rule lives in one table.

  KEYS[1] job hash, KEYS[2] image payload, KEYS[3] the webhook outbox stream of the job's shard
  ARGV[1] the verb (start, succeed, fail, retry, handBack, cancel, expire, abandon)
  ARGV[2] TTL in seconds applied to the record when the verb's status is terminal;
          a terminal status also deletes the image payload
  ARGV[3] the job's shard channel (keys.ts jobEvents, in its slot) to publish ARGV[4] on (SPUBLISH)
  ARGV[5] id of the webhook event this change emits if the job subscribed to it
          ('' never emits), ARGV[6] its time (ISO 8601)
  ARGV[7..] field, value pairs to set (record/job-record.ts: updateFieldsOf)

  Returns {SCRIPT_REPLY.applied (1), previous status} when applied,
  {SCRIPT_REPLY.notApplied (0), current status} when the verb may not leave the current
  status ('' if the record is gone) (scripts/reply-codes.ts); an error for an unknown verb.
]]
--@include "lifecycle.lua"
--@include "webhook-outbox.lua"
local jobKey = KEYS[1]
local imageKey = KEYS[2]
local outboxKey = KEYS[3]
local verb = ARGV[1]
local terminalTtlSeconds = tonumber(ARGV[2])
local eventsChannel = ARGV[3]
local eventsMessage = ARGV[4]
local webhookEventId = ARGV[5]
local webhookEventAt = ARGV[6]
local firstFieldArg = 7

local rule = LIFECYCLE[verb]
if not rule then return redis.error_reply('unknown lifecycle verb ' .. verb) end
local current = redis.call('HGET', jobKey, 'status')
if not current then return {0, ''} end -- SCRIPT_REPLY.notApplied
if not rule.from[current] then return {0, current} end -- SCRIPT_REPLY.notApplied
redis.call('HSET', jobKey, 'status', rule.to)
for i = firstFieldArg, #ARGV, 2 do
  redis.call('HSET', jobKey, ARGV[i], ARGV[i + 1])
end
webhook_emit(jobKey, outboxKey, rule.to, webhookEventId, webhookEventAt)
if TERMINAL[rule.to] then
  redis.call('DEL', imageKey)
  redis.call('EXPIRE', jobKey, terminalTtlSeconds)
end
redis.call('SPUBLISH', eventsChannel, eventsMessage)
return {1, current} -- SCRIPT_REPLY.applied
