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
  ARGV[4]  TTL of records and payloads (seconds)
  ARGV[5]  creation time (epoch ms)
  ARGV[4 + 2i], ARGV[5 + 2i]  job i: record fields (JSON object of strings), Cancel-After
           deadline (epoch ms, or '')

  Returns 0 when created; IDEMPOTENCY_CLAIM_LOST (1) when the claim is no longer
  this request's (it expired and another request took the key): nothing is written,
  and the payloads set before are deleted.
]]
local jobs = (#KEYS - 4) / 2
if ARGV[1] ~= '' then
  if redis.call('GET', KEYS[3]) ~= ARGV[1] then
    for i = 1, jobs do redis.call('DEL', KEYS[4 + 2 * i]) end
    return 1
  end
  redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
end
local ttl = tonumber(ARGV[4])
local created_at = tonumber(ARGV[5])
for i = 1, jobs do
  local record = cjson.decode(ARGV[4 + 2 * i])
  local job_key = KEYS[3 + 2 * i]
  local fields = {}
  for name, value in pairs(record) do
    fields[#fields + 1] = name
    fields[#fields + 1] = value
  end
  redis.call('HSET', job_key, unpack(fields))
  redis.call('EXPIRE', job_key, ttl)
  redis.call('ZADD', KEYS[1], ARGV[5], record.id)
  redis.call('ZADD', KEYS[4], ARGV[5], record.id)
  local cancel_at = ARGV[5 + 2 * i]
  if cancel_at ~= '' then redis.call('ZADD', KEYS[2], cancel_at, record.id) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', created_at - ttl * 1000)
redis.call('EXPIRE', KEYS[4], ttl)
return 0
