--[[
  POST /v1/jobs/{id}/webhook/redeliver: a new delivery series of the job's terminal
  event, with the same event id (webhook-id) and payload.

  KEYS[1] job hash, KEYS[2] outbox stream
  Returns {SCRIPT_REPLY.ok (0), type, event_id, delivery_id}, or {code} with a refusal
  (scripts/reply-codes.ts; REDELIVERY_REFUSALS names them for the API):
  SCRIPT_REPLY.redeliveryJobNotFound (2), redeliveryNoWebhook (3), redeliveryNotTerminal (4),
  redeliveryNotSubscribed (5), redeliveryPending (6).
]]
--@include "lifecycle.lua"
--@include "webhook-outbox.lua"
local jobKey = KEYS[1]
local outboxKey = KEYS[2]

local status = redis.call('HGET', jobKey, 'status')
if not status then return {2} end -- SCRIPT_REPLY.redeliveryJobNotFound
local url = redis.call('HGET', jobKey, 'webhook_url')
if not url then return {3} end -- SCRIPT_REPLY.redeliveryNoWebhook
local terminal_type = WEBHOOK_EVENT_FOR_STATUS[status]
if not TERMINAL[status] then return {4} end -- SCRIPT_REPLY.redeliveryNotTerminal
local event_type = redis.call('HGET', jobKey, 'webhook_event')
local event_id = redis.call('HGET', jobKey, 'webhook_event_id')
if event_type ~= terminal_type or not event_id then return {5} end -- SCRIPT_REPLY.redeliveryNotSubscribed
if redis.call('HGET', jobKey, 'webhook_status') == 'pending' then return {6} end -- SCRIPT_REPLY.redeliveryPending
local n = redis.call('HINCRBY', jobKey, 'webhook_redeliveries', 1)
local delivery_id = event_id .. '.r' .. n
local timestamp = redis.call('HGET', jobKey, 'webhook_event_at') or ''
webhook_enqueue(jobKey, outboxKey, url, event_type, event_id, delivery_id, timestamp)
return {0, event_type, event_id, delivery_id} -- SCRIPT_REPLY.ok
