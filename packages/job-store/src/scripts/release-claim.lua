--[[
  Give back an Idempotency-Key claim, only if it is still this request's (a slow
  request must not delete a later request's claim).

  KEYS[1] the key's record; ARGV[1] the claim this request holds
  Returns 1 when released, 0 when the key holds something else.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
