--[[
  Shared by transition.lua and redeliver-webhook.lua (pasted in by --@include): the
  transactional outbox of webhook events. An event is appended to the outbox stream
  in the same script that changes the job's status, so a process dying right after a
  transition cannot lose it; the dispatcher relays the stream into the BullMQ
  `webhooks` queue.

  Stream entry fields: event_id, delivery_id, type, job_id, timestamp (ISO), url,
  snapshot (JSON object of the job hash without webhook_* fields, taken at the event,
  so the payload shows the job as it was then).

  Hash fields kept on the job record for GET /v1/jobs/{id}: the `webhook_*` fields of
  packages/job-store/src/record/job-record.ts (JOB_FIELDS), which says which script
  reads and writes which.
]]
--@include "lifecycle.lua"

local function webhook_subscribed(job_key, event_type)
  local events = redis.call('HGET', job_key, 'webhook_events')
  if not events then return event_type ~= 'job.started' end
  return string.find(events, '"' .. event_type .. '"', 1, true) ~= nil
end

-- Start a new delivery series of one event: reset the status fields, append to the outbox.
local function webhook_enqueue(job_key, outbox_key, url, event_type, event_id, delivery_id, timestamp)
  local fields = redis.call('HGETALL', job_key)
  local snapshot = {}
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 8) ~= 'webhook_' then snapshot[fields[i]] = fields[i + 1] end
  end
  redis.call('HSET', job_key, 'webhook_event', event_type, 'webhook_event_id', event_id,
    'webhook_event_at', timestamp, 'webhook_delivery_id', delivery_id,
    'webhook_status', 'pending', 'webhook_attempts', '0')
  redis.call('HDEL', job_key, 'webhook_last_status_code', 'webhook_last_error', 'webhook_last_attempt_at',
    'webhook_next_attempt_at', 'webhook_delivered_at')
  redis.call('XADD', outbox_key, '*', 'event_id', event_id, 'delivery_id', delivery_id, 'type', event_type,
    'job_id', snapshot['id'] or '', 'timestamp', timestamp, 'url', url, 'snapshot', cjson.encode(snapshot))
  -- Wake the relays reading this shard (keys.ts outboxWake: the outbox's name with '-wake', in its
  -- slot). SPUBLISH stays within the shard's node; a relay asleep misses nothing (it polls too).
  redis.call('SPUBLISH', outbox_key .. '-wake', '1')
end

-- Called after a status change to new_status; emits the event if the job subscribed to it.
local function webhook_emit(job_key, outbox_key, new_status, event_id, timestamp)
  if event_id == '' then return end
  local url = redis.call('HGET', job_key, 'webhook_url')
  local event_type = WEBHOOK_EVENT_FOR_STATUS[new_status]
  if not url or not event_type or not webhook_subscribed(job_key, event_type) then return end
  -- A retried or recovered job enters "running" again: job.started is sent once.
  if event_type == 'job.started' and redis.call('HSETNX', job_key, 'webhook_started_emitted', '1') == 0 then return end
  webhook_enqueue(job_key, outbox_key, url, event_type, event_id, event_id, timestamp)
end
