--[[
  Create jobs: each record, its enqueue intent, its Cancel-After deadline, and the
  Idempotency-Key answer that names them, in one step. The image payloads are SET in
  the same MULTI/EXEC transaction just before this runs (JobStore.createMany): bytes
  passed through Lua cost Redis twenty times a plain SET. No crash
  can then leave a record without the intent that gets it enqueued (the API's
  enqueue repair relays intents whose BullMQ job never appeared), or a key whose
  retry would create a second job.

  KEYS[1]  enqueue intents (sorted set: job id -> creation time, epoch ms)
  KEYS[2]  Cancel-After deadlines (sorted set: job id -> deadline, epoch ms; see deadlines.ts)
  KEYS[3]  the Idempotency-Key record (read only when ARGV[1] is set)
  KEYS[4]  the owner's job index (sorted set: job id -> creation time), for listing; entries
           older than the records' TTL are trimmed here, so it never outgrows the live records
  KEYS[3 + 2i], KEYS[4 + 2i]  job i's record hash and image payload (already set), i = 1..n

  ARGV[1]  the Idempotency-Key claim this request holds ('' = no key)
  ARGV[2]  the key's answer, which replaces the claim
  ARGV[3]  the answer's TTL (seconds)
  ARGV[4]  RESULT_TTL_SECONDS: how far back the owner's index keeps entries (records and payloads
           get no TTL here: theirs starts at the terminal state, scripts/transition.lua)
  ARGV[5]  creation time (epoch ms)
  ARGV[4 + 2i], ARGV[5 + 2i]  job i: record fields (JSON object of strings, record/job-record.ts:
           jobRecordOf), Cancel-After deadline (epoch ms, or '')

  Safe to run twice (ioredis resends an unanswered transaction after a reconnect): a second run
  finds the key's answer or the records already written and changes nothing, except that the
  payload it has just SET again is deleted when its job has finished (or expired) since: no
  terminal transition would ever delete it, and it carries no TTL.

  Returns SCRIPT_REPLY.ok (0) when created (or already created by this transaction); SCRIPT_REPLY.idempotencyClaimLost (1) when the
  claim is no longer this request's (it expired and another request took the key): nothing
  is written, and the payloads set before are deleted (scripts/reply-codes.ts).
]]
--@include "lifecycle.lua"
local enqueueIntentsKey = KEYS[1]
local deadlinesKey = KEYS[2]
local idempotencyKey = KEYS[3]
local jobIndexKey = KEYS[4]
local claim = ARGV[1]
local answer = ARGV[2]
local answerTtlSeconds = ARGV[3]
local ttlSeconds = tonumber(ARGV[4])
local createdAtMs = ARGV[5]
local jobCount = (#KEYS - 4) / 2

-- Job i's keys and arguments, i = 1..jobCount.
local function jobKeyOf(i) return KEYS[3 + 2 * i] end
local function imageKeyOf(i) return KEYS[4 + 2 * i] end
local function recordOf(i) return ARGV[4 + 2 * i] end
local function cancelAtMsOf(i) return ARGV[5 + 2 * i] end

-- A replayed transaction SET job i's payload again: keep it only while the job still needs it.
local function dropReplayedImageIfFinished(i)
  local status = redis.call('HGET', jobKeyOf(i), 'status')
  if not status or TERMINAL[status] then redis.call('DEL', imageKeyOf(i)) end
end

if claim ~= '' then
  local current = redis.call('GET', idempotencyKey)
  -- This very transaction ran already: ioredis resent it after a reconnect (job ids make the answer unique).
  if current == answer then
    for i = 1, jobCount do dropReplayedImageIfFinished(i) end
    return 0 -- SCRIPT_REPLY.ok
  end
  if current ~= claim then
    for i = 1, jobCount do redis.call('DEL', imageKeyOf(i)) end
    return 1 -- SCRIPT_REPLY.idempotencyClaimLost
  end
  redis.call('SET', idempotencyKey, answer, 'EX', answerTtlSeconds)
end
for i = 1, jobCount do
  local record = cjson.decode(recordOf(i))
  local jobKey = jobKeyOf(i)
  -- Job ids are new for each request: a record already there was written by this transaction,
  -- resent by ioredis after a reconnect; a worker may have moved it on since. Leave it.
  if redis.call('EXISTS', jobKey) == 0 then
    local fields = {}
    for name, value in pairs(record) do
      fields[#fields + 1] = name
      fields[#fields + 1] = value
    end
    -- No TTL while the job waits or runs: RESULT_TTL_SECONDS runs from its terminal state
    -- (transition.lua), so a backlog older than the TTL loses no job.
    redis.call('HSET', jobKey, unpack(fields))
    redis.call('ZADD', enqueueIntentsKey, createdAtMs, record.id)
    redis.call('ZADD', jobIndexKey, createdAtMs, record.id)
    local cancelAtMs = cancelAtMsOf(i)
    if cancelAtMs ~= '' then redis.call('ZADD', deadlinesKey, cancelAtMs, record.id) end
  else
    dropReplayedImageIfFinished(i)
  end
end
redis.call('ZREMRANGEBYSCORE', jobIndexKey, '-inf', tonumber(createdAtMs) - ttlSeconds * 1000)
redis.call('EXPIRE', jobIndexKey, ttlSeconds)
return 0 -- SCRIPT_REPLY.ok
