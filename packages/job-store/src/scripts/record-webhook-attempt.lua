--[[
  The dispatcher records an attempt only while its delivery is the job's current one
  (a redelivery or a newer event supersedes it) and the record still exists (never
  re-create an expired hash without TTL).

  KEYS[1] job hash
  ARGV[1] delivery id; ARGV[2] fields to delete (comma-separated); ARGV[3..] field, value pairs
  Returns 1 when recorded, 0 when the delivery is no longer the current one.
]]
if redis.call('HGET', KEYS[1], 'webhook_delivery_id') ~= ARGV[1] then return 0 end
for name in string.gmatch(ARGV[2], '[^,]+') do redis.call('HDEL', KEYS[1], name) end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
