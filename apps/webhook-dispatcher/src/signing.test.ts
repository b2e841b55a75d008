import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeSecret, signatureHeader, webhookHeaders } from './signing.ts';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('Standard Webhooks signing, checked with the standardwebhooks library', () => {
  const body = JSON.stringify({ type: 'job.succeeded', timestamp: '2026-11-24T05:00:00.000Z', data: { id: 'j' } });

  it('produces headers a receiver verifies', () => {
    const secret = newSecret();
    const headers = webhookHeaders([decodeSecret(secret)], 'msg_abc', body);
    expect(headers['webhook-id']).toBe('msg_abc');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with every secret during a rotation; a receiver with either one verifies', () => {
    const [old, next] = [newSecret(), newSecret()];
    const headers = webhookHeaders([decodeSecret(old), decodeSecret(next)], 'msg_rot', body);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(next).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });

  it('fails verification when the body, id or timestamp is altered', () => {
    const secret = newSecret();
    const headers = webhookHeaders([decodeSecret(secret)], 'msg_x', body);
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace('j', 'k'), headers)).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_y' })).toThrow();
    expect(() =>
      wh.verify(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) }),
    ).toThrow();
  });

  it('matches the specification example', () => {
    // Example from the Standard Webhooks specification.
    const key = decodeSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const payload = '{"test": 2432232314}';
    expect(signatureHeader([key], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, payload)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('refuses malformed secrets', () => {
    expect(() => decodeSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whsec_/);
    expect(() => decodeSecret('whsec_YWJj')).toThrow(/16 bytes/);
  });
});
