--[[
  The dispatcher records an attempt only while its delivery is the job's current one
  (a redelivery or a newer event supersedes it) and the record still exists (never
  re-create an expired hash without TTL).

  KEYS[1] job hash
  ARGV[1] delivery id; ARGV[2] fields to delete (comma-separated); ARGV[3..] field, value pairs
  (record/job-record.ts: attemptFieldsOf)
  Returns SCRIPT_REPLY.applied (1) when recorded, SCRIPT_REPLY.notApplied (0) when the
  delivery is no longer the current one (scripts/reply-codes.ts).
]]
local jobKey = KEYS[1]
local deliveryId = ARGV[1]
local fieldsToDelete = ARGV[2]
local firstFieldArg = 3

if redis.call('HGET', jobKey, 'webhook_delivery_id') ~= deliveryId then return 0 end -- SCRIPT_REPLY.notApplied
for name in string.gmatch(fieldsToDelete, '[^,]+') do redis.call('HDEL', jobKey, name) end
for i = firstFieldArg, #ARGV, 2 do redis.call('HSET', jobKey, ARGV[i], ARGV[i + 1]) end
return 1 -- SCRIPT_REPLY.applied
