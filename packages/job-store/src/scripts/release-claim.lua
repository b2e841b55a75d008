--[[
  Give back an Idempotency-Key claim, only if it is still this request's (a slow
  request must not delete a later request's claim).

  KEYS[1] the key's record; ARGV[1] the claim this request holds
  Returns SCRIPT_REPLY.applied (1) when released, SCRIPT_REPLY.notApplied (0) when the key
  holds something else (scripts/reply-codes.ts).
]]
local claimKey = KEYS[1]
local claim = ARGV[1]

if redis.call('GET', claimKey) == claim then return redis.call('DEL', claimKey) end -- SCRIPT_REPLY.applied
return 0 -- SCRIPT_REPLY.notApplied
