--[[
  One fixed window of a principal's rate limit: INCR, and PEXPIRE when the counter is
  new, in one script, so that a crash between the two cannot leave a counter that
  never expires (which would lock the client out for good).

  KEYS[1] the principal's counter; ARGV[1] window length (ms)
  Returns {count in this window, ms until it resets}.
]]
local counterKey = KEYS[1]
local windowMs = ARGV[1]

local count = redis.call('INCR', counterKey)
local ttl = redis.call('PTTL', counterKey)
if ttl < 0 then
  redis.call('PEXPIRE', counterKey, windowMs)
  ttl = tonumber(windowMs)
end
return {count, ttl}
