/**
 * Lua shared by the transition script and the redelivery script: the
 * transactional outbox of webhook events. An event is appended to the outbox
 * stream in the same script that changes the job's status, so a process dying
 * right after a transition cannot lose it; the dispatcher relays the stream into
 * the BullMQ `webhooks` queue.
 *
 * Stream entry fields: event_id, delivery_id, type, job_id, timestamp (ISO),
 * url, snapshot (JSON object of the job hash without webhook_* fields, taken
 * at the event, so the payload shows the job as it was then).
 *
 * Hash fields kept on the job record for `GET /v1/jobs/:id`: webhook_event,
 * webhook_event_id, webhook_event_at, webhook_delivery_id, webhook_status,
 * webhook_attempts, webhook_last_status_code, webhook_last_error,
 * webhook_last_attempt_at, webhook_next_attempt_at, webhook_delivered_at.
 */
export const WEBHOOK_OUTBOX_LUA = `
local WEBHOOK_EVENT_FOR_STATUS = {
  running = 'job.started', succeeded = 'job.succeeded', failed = 'job.failed', canceled = 'job.canceled'
}

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
`;

/**
 * POST /v1/jobs/:id/webhook/redeliver: a new delivery series of the job's
 * terminal event, with the same event id (webhook-id) and payload.
 *
 * KEYS[1] job hash, KEYS[2] outbox stream
 * Returns {'ok', type, event_id, delivery_id} or {'error', reason}.
 */
export const REDELIVER_SCRIPT = `${WEBHOOK_OUTBOX_LUA}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'error', 'not_found'} end
local url = redis.call('HGET', KEYS[1], 'webhook_url')
if not url then return {'error', 'no_webhook'} end
local terminal_type = WEBHOOK_EVENT_FOR_STATUS[status]
if status == 'queued' or status == 'running' then return {'error', 'not_terminal'} end
local event_type = redis.call('HGET', KEYS[1], 'webhook_event')
local event_id = redis.call('HGET', KEYS[1], 'webhook_event_id')
if event_type ~= terminal_type or not event_id then return {'error', 'not_subscribed'} end
if redis.call('HGET', KEYS[1], 'webhook_status') == 'pending' then return {'error', 'pending'} end
local n = redis.call('HINCRBY', KEYS[1], 'webhook_redeliveries', 1)
local delivery_id = event_id .. '.r' .. n
local timestamp = redis.call('HGET', KEYS[1], 'webhook_event_at') or ''
webhook_enqueue(KEYS[1], KEYS[2], url, event_type, event_id, delivery_id, timestamp)
return {'ok', event_type, event_id, delivery_id}
`;

/**
 * The dispatcher records an attempt only while its delivery is the job's
 * current one (a redelivery or a newer event supersedes it) and the record
 * still exists (never re-create an expired hash without TTL).
 *
 * KEYS[1] job hash; ARGV[1] delivery id; ARGV[2] fields to delete (comma-separated); ARGV[3..] field, value pairs
 */
export const RECORD_ATTEMPT_SCRIPT = `
if redis.call('HGET', KEYS[1], 'webhook_delivery_id') ~= ARGV[1] then return 0 end
for name in string.gmatch(ARGV[2], '[^,]+') do redis.call('HDEL', KEYS[1], name) end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;
