import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../../../test/support/redis.ts';
import { InProcessApi } from './in-process-api.ts';

describe('InProcessApi', () => {
  it('serves the app on 127.0.0.1 with the reference model and deletes its keys on close', async () => {
    const api = await InProcessApi.start({ env: { API_KEYS: 'a'.repeat(64) } });
    const redis = new Redis(testRedisUrl());
    try {
      expect(api.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(api.url('/healthz'))).status).toBe(200);
      // API_KEYS reached the authenticator as main.ts gives it.
      expect((await fetch(api.url('/v1/models'))).status).toBe(401);
      expect(api.services.catalog.names()).toEqual(['plant-pathology']);
      await redis.set(`${api.prefix}:left-behind`, '1');
      await api.close();
      await api.close();
      expect(await redis.keys(`${api.prefix}:*`)).toEqual([]);
      await expect(fetch(api.url('/healthz'))).rejects.toThrow();
    } finally {
      await api.close();
      redis.disconnect();
    }
  });

  it('refuses what main.ts refuses at start-up, before opening anything', async () => {
    await expect(InProcessApi.start({ env: { DEFAULT_MODEL: 'no-such-model' } })).rejects.toThrow(
      /DEFAULT_MODEL="no-such-model": not a model of MODEL_REPOSITORY \(plant-pathology\)/,
    );
    await expect(
      InProcessApi.start({
        env: { JWT_SECRET: 's'.repeat(32), JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ISSUER: 'x' },
      }),
    ).rejects.toThrow(/JWT_SECRET or JWT_JWKS_URL, not both/);
    await expect(InProcessApi.start({ env: { MAX_UPLOAD_BYTES: 'lots' } })).rejects.toThrow(/MAX_UPLOAD_BYTES/);
  });
});
