--[[
  Stamp a process's BullMQ workers with the time they were last known alive, by Redis's
  clock: the hosts that beat and the ones that judge who is dead (reclaim-dead-locks.lua)
  may disagree on the time.

  KEYS[1] the queue's alive-workers (sorted set: BullMQ worker id -> last known alive, epoch ms),
          in the queue's slot (worker-registry.ts aliveWorkersKey)
  ARGV[1] ms to stamp them in the past: 0 while alive; the dead-after time when the
          process leaves, so that a lock it could not release is reclaimed at once
  ARGV[2] forget entries older than this many ms (the set does not grow forever)
  ARGV[3..] the BullMQ worker ids
  Returns Redis's time in ms.
]]
local queueWorkersKey = KEYS[1]
local stampAgoMs = tonumber(ARGV[1])
local forgetAfterMs = tonumber(ARGV[2])
local firstWorkerIdArg = 3

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = firstWorkerIdArg, #ARGV do redis.call('ZADD', queueWorkersKey, now - stampAgoMs, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', queueWorkersKey, '-inf', now - forgetAfterMs)
return now
