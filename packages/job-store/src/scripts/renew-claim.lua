--[[
  Extend an Idempotency-Key claim while its request still works (only if still its own).

  KEYS[1] the key's record; ARGV[1] the claim; ARGV[2] TTL in seconds
  Returns SCRIPT_REPLY.applied (1) when renewed, SCRIPT_REPLY.notApplied (0) otherwise
  (scripts/reply-codes.ts).
]]
local claimKey = KEYS[1]
local claim = ARGV[1]
local ttlSeconds = ARGV[2]

if redis.call('GET', claimKey) == claim then return redis.call('EXPIRE', claimKey, ttlSeconds) end -- SCRIPT_REPLY.applied
return 0 -- SCRIPT_REPLY.notApplied
