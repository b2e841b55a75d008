import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessApi } from '../testing/in-process-api.ts';

/** GET /v1/jobs refuses bad listing parameters before reading any job (the app in-process on real Redis). */
describe('GET /v1/jobs parameters (in-process API, real Redis)', () => {
  const keys = { alice: randomBytes(24).toString('base64url') };
  let system: InProcessApi;
  const as = (who: keyof typeof keys) => ({ authorization: `Bearer ${keys[who]}` });

  beforeAll(async () => {
    system = await InProcessApi.start({
      env: { API_KEYS: `alice:${createHash('sha256').update(keys.alice).digest('hex')}` },
    });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('refuses bad parameters with 400 naming them', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?status=done', 'status'],
      ['?cursor=nope', 'cursor'],
      ['?created_after=yesterday', 'created_after'],
      ['?sort=asc', 'sort'],
    ]) {
      const response = await fetch(system.url(`/v1/jobs${query}`), { headers: as('alice') });
      const body = (await response.json()) as { error: { code: string; details: { field: string } } };
      expect({ query, status: response.status, field: body.error.details.field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
  });
});
