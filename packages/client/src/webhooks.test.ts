import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeSecret, webhookHeaders } from '../../../apps/webhook-dispatcher/src/signing.ts';
import { verifyWebhook, WebhookVerificationError } from './webhooks.ts';

/** Signed by the dispatcher's own signing code, verified by the SDK's. */
describe('verifyWebhook', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const body = JSON.stringify({ type: 'job.succeeded', data: { id: 'j1' } });
  const now = new Date('2026-12-01T12:00:00Z');
  const headers = webhookHeaders([decodeSecret(secret)], 'msg_1', body, now);

  it('accepts what the dispatcher signed and answers the parsed body', () => {
    expect(verifyWebhook(secret, headers, body, { now })).toEqual(JSON.parse(body));
    expect(verifyWebhook(secret, new Headers(headers), Buffer.from(body), { now })).toEqual(JSON.parse(body));
  });

  it('refuses a changed body, another secret, and a stale timestamp', () => {
    expect(() => verifyWebhook(secret, headers, body.replace('j1', 'j2'), { now })).toThrow(WebhookVerificationError);
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => verifyWebhook(other, headers, body, { now })).toThrow(/no signature matches/);
    const later = new Date(now.getTime() + 10 * 60_000);
    expect(() => verifyWebhook(secret, headers, body, { now: later })).toThrow(/too old/);
    expect(() => verifyWebhook(secret, {}, body, { now })).toThrow(/missing/);
  });
});
