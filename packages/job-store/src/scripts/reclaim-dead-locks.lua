--[[
  Hand the jobs of BullMQ workers that died back to BullMQ's stalled-job check, without
  waiting for their locks to expire (LOCK_DURATION_MS, a minute by default).

  A lock's value is BullMQ's token `<worker id>:<n>`. For every job in the active list
  whose lock names a worker stamped in the queue's alive-workers (beat-queue-workers.lua) longer ago
  than ARGV[2], the lock is deleted: the next stalled check moves the job back to wait,
  counting the interruption as BullMQ does (maxStalledCount). Locks of workers never
  stamped (an older version of the worker, another program) are left to expire.

  KEYS[1] the queue's alive-workers (sorted set: BullMQ worker id -> last known alive, epoch ms),
          in the queue's slot (worker-registry.ts aliveWorkersKey)
  KEYS[2] the queue's active list
  ARGV[1] the queue's key prefix (`<prefix>:{<queue>}:`), before a job id: the lock keys built from
          it are not declared, but carry the queue's hash tag, so they are in its slot (as
          BullMQ's own scripts build job keys)
  ARGV[2] dead after this many ms without a stamp
  Returns the ids of the jobs whose lock was deleted.
]]
local queueWorkersKey = KEYS[1]
local activeKey = KEYS[2]
local queueKeyPrefix = ARGV[1]
local deadAfterMs = tonumber(ARGV[2])

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local deadBefore = now - deadAfterMs
local reclaimed = {}
for _, jobId in ipairs(redis.call('LRANGE', activeKey, 0, -1)) do
  local lockKey = queueKeyPrefix .. jobId .. ':lock'
  local token = redis.call('GET', lockKey)
  if token then
    local worker = string.match(token, '^(.+):%d+$')
    local seen = worker and redis.call('ZSCORE', queueWorkersKey, worker)
    if seen and tonumber(seen) < deadBefore then
      redis.call('DEL', lockKey)
      table.insert(reclaimed, jobId)
    end
  end
end
return reclaimed
