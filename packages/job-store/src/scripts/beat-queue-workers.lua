--[[
  Stamp a process's BullMQ workers with the time they were last known alive, by Redis's
  clock: the hosts that beat and the ones that judge who is dead (reclaim-dead-locks.lua)
  may disagree on the time.

  KEYS[1] queue-workers (sorted set: BullMQ worker id -> last known alive, epoch ms)
  ARGV[1] ms to stamp them in the past: 0 while alive; the dead-after time when the
          process leaves, so that a lock it could not release is reclaimed at once
  ARGV[2] forget entries older than this many ms (the set does not grow forever)
  ARGV[3..] the BullMQ worker ids
  Returns Redis's time in ms.
]]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], now - tonumber(ARGV[1]), ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return now
