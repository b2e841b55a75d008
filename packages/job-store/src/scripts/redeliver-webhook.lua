--[[
  POST /v1/jobs/{id}/webhook/redeliver: a new delivery series of the job's terminal
  event, with the same event id (webhook-id) and payload.

  KEYS[1] job hash, KEYS[2] outbox stream
  Returns {0, type, event_id, delivery_id}, or {code} with a refusal code
  (scripts.ts: REDELIVERY_REFUSALS): 2 not_found, 3 no_webhook, 4 not_terminal,
  5 not_subscribed, 6 pending.
]]
--@include "lifecycle.lua"
--@include "webhook-outbox.lua"
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {2} end
local url = redis.call('HGET', KEYS[1], 'webhook_url')
if not url then return {3} end
local terminal_type = WEBHOOK_EVENT_FOR_STATUS[status]
if not TERMINAL[status] then return {4} end
local event_type = redis.call('HGET', KEYS[1], 'webhook_event')
local event_id = redis.call('HGET', KEYS[1], 'webhook_event_id')
if event_type ~= terminal_type or not event_id then return {5} end
if redis.call('HGET', KEYS[1], 'webhook_status') == 'pending' then return {6} end
local n = redis.call('HINCRBY', KEYS[1], 'webhook_redeliveries', 1)
local delivery_id = event_id .. '.r' .. n
local timestamp = redis.call('HGET', KEYS[1], 'webhook_event_at') or ''
webhook_enqueue(KEYS[1], KEYS[2], url, event_type, event_id, delivery_id, timestamp)
return {0, event_type, event_id, delivery_id}
