import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from './auth.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const b64url = (value: string) => Buffer.from(value).toString('base64url');

/** An ES256 JWT signed by hand with node:crypto (JWS wants the raw r||s signature). */
function es256(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const input = `${b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('Authenticator', () => {
  it('is off without settings and refuses contradictory JWT settings', () => {
    expect(Authenticator.fromSettings({ apiKeys: [] })).toBeUndefined();
    expect(() => Authenticator.fromSettings({ apiKeys: [], jwtJwksUrl: 'https://idp.test/jwks' })).toThrow(
      /JWT_ISSUER/,
    );
    expect(() =>
      Authenticator.fromSettings({ apiKeys: [], jwtSecret: 'x'.repeat(32), jwtJwksUrl: 'https://idp.test/jwks' }),
    ).toThrow(/not both/);
  });

  it('maps a key to its name, or to a digest prefix when unnamed; never to the key itself', async () => {
    const auth = Authenticator.fromSettings({ apiKeys: [`alice:${sha256('k1')}`, sha256('k2').toUpperCase()] });
    expect(await auth?.authenticate('k1')).toEqual({ id: 'key:alice', kind: 'api_key' });
    expect(await auth?.authenticate('k2')).toEqual({ id: `key:${sha256('k2').slice(0, 12)}`, kind: 'api_key' });
    const error = await refusal(auth?.authenticate('k3') ?? Promise.resolve());
    expect([error.status, error.code]).toEqual([401, 'unauthorized']);
  });

  describe('with a JWKS from the identity provider', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issuer = 'https://idp.example.test';
    let server: Server;
    let jwksUrl: string;
    const exp = () => Math.floor(Date.now() / 1000) + 300;

    beforeAll(async () => {
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
      server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      server.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('accepts a token signed by a published key, with the right issuer and audience', async () => {
      const auth = Authenticator.fromSettings({
        apiKeys: [],
        jwtJwksUrl: jwksUrl,
        jwtIssuer: issuer,
        jwtAudience: 'infer',
      });
      const token = es256(privateKey, 'k1', { sub: 'svc-1', iss: issuer, aud: 'infer', exp: exp() });
      expect(await auth?.authenticate(token)).toEqual({ id: 'jwt:svc-1', kind: 'jwt' });
    });

    it('refuses a token of an unpublished key, or for another audience', async () => {
      const auth = Authenticator.fromSettings({
        apiKeys: [],
        jwtJwksUrl: jwksUrl,
        jwtIssuer: issuer,
        jwtAudience: 'infer',
      });
      const foreign = es256(other.privateKey, 'k1', { sub: 's', iss: issuer, aud: 'infer', exp: exp() });
      expect((await refusal(auth?.authenticate(foreign) ?? Promise.resolve())).status).toBe(401);
      const audience = es256(privateKey, 'k1', { sub: 's', iss: issuer, aud: 'other', exp: exp() });
      expect((await refusal(auth?.authenticate(audience) ?? Promise.resolve())).message).toBe(
        `the token's "aud" claim is not accepted`,
      );
    });

    it('answers 503 (not 401) when the JWKS cannot be fetched', async () => {
      const closed = createServer();
      closed.listen(0, '127.0.0.1');
      await new Promise((resolve) => closed.once('listening', resolve));
      const refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
      await new Promise((resolve) => closed.close(resolve));
      const notFound = jwksUrl.replace('/jwks.json', '/404');
      server.removeAllListeners('request');
      server.on('request', (req, res) => {
        res.statusCode = req.url === '/404' ? 404 : 200;
        res.end(req.url === '/404' ? 'not found' : JSON.stringify({ keys: [] }));
      });
      for (const url of [refused, notFound]) {
        const auth = Authenticator.fromSettings({ apiKeys: [], jwtJwksUrl: url, jwtIssuer: issuer });
        const token = es256(privateKey, 'k1', { sub: 's', iss: issuer, exp: exp() });
        const error = await refusal(auth?.authenticate(token) ?? Promise.resolve());
        expect([error.status, error.code], url).toEqual([503, 'service_unavailable']);
      }
    });
  });
});
