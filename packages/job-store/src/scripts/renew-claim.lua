--[[
  Extend an Idempotency-Key claim while its request still works (only if still its own).

  KEYS[1] the key's record; ARGV[1] the claim; ARGV[2] TTL in seconds
  Returns 1 when renewed, 0 otherwise.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
