import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256
 * over `${webhook-id}.${webhook-timestamp}.${body}` with the base64-decoded key
 * after `whsec_`. Several keys during a rotation give several space-separated
 * signatures; a receiver accepts the message if any one verifies.
 */
export function decodeSecret(secret: string): Buffer {
  if (!secret.startsWith('whsec_')) throw new Error('a webhook secret starts with "whsec_"');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (key.length < 16) throw new Error('a webhook secret needs at least 16 bytes of key');
  return key;
}

export function signatureHeader(keys: readonly Buffer[], id: string, timestampSeconds: number, body: string): string {
  const content = `${id}.${timestampSeconds}.${body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(content).digest('base64')}`).join(' ');
}

/** Headers of one attempt: the id is the event's (stable), the timestamp and signature are per attempt. */
export function webhookHeaders(
  keys: readonly Buffer[],
  id: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'infer-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(keys, id, timestamp, body),
  };
}
