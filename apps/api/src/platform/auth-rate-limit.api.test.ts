import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { fetchConforming, OpenApiConformance } from '../../../../test/support/openapi-conformance.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An HS256 JWT signed here by hand (not with the library the API verifies with). */
function jwt(secret: string, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }) {
  const signingInput = `${b64url(JSON.stringify({ typ: 'JWT', ...header }))}.${b64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

type ErrorBody = { error: { code: string; message: string } };

/**
 * Bearer auth (API keys and HS256 JWTs), per-principal job visibility and the
 * per-principal rate limit, against the app in-process on real Redis (no worker is
 * needed: visibility and limits are decided before any inference).
 */
describe('auth and rate limit (in-process API, real Redis)', () => {
  const keys = { alice: randomBytes(24).toString('base64url'), bob: randomBytes(24).toString('base64url') };
  const carolKey = randomBytes(24).toString('base64url');
  const secret = randomBytes(32).toString('hex');
  const issuer = 'https://issuer.example.test';
  const now = () => Math.floor(Date.now() / 1000);
  const LIMIT = 15;
  let system: InProcessApi;
  const conformance = new OpenApiConformance();
  const call = <T = ErrorBody>(path: string, token?: string, init: RequestInit = {}) =>
    fetchConforming<T>(conformance, system.url(path), {
      ...init,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers as object) },
    });
  const submit = async (token: string) => {
    const form = new FormData();
    form.set('image', new Blob([await solidImage(COLOURS.green)]), 'leaf.png');
    return call<JobView>('/v1/jobs', token, { method: 'POST', body: form });
  };

  beforeAll(async () => {
    system = await InProcessApi.start({
      env: {
        // Named, unnamed and upper-case digests are all accepted forms.
        API_KEYS: `alice:${sha256(keys.alice)}, ${sha256(keys.bob).toUpperCase()},carol:${sha256(carolKey)}`,
        JWT_SECRET: secret,
        JWT_ISSUER: issuer,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
      },
    });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('refuses /v1 without credentials or with a wrong key: 401 unauthorized with a Bearer challenge', async () => {
    const none = await call('/v1/jobs/anything');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="infer"');

    const wrong = await call('/v1/models', 'not-a-key');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer realm="infer", error="invalid_token"/);

    const basic = await call('/v1/models', undefined, { headers: { Authorization: `Basic ${b64url('a:b')}` } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);

    // A digest is not a key: knowing API_KEYS must not let anyone in.
    expect((await call('/v1/models', sha256(keys.alice))).status).toBe(401);
    // Even unknown routes under /v1 ask for credentials first (no route discovery without a key).
    expect((await call('/v1/nothing-here')).status).toBe(401);
  });

  it('keeps probes, metrics and the API description open', async () => {
    expect((await call('/healthz')).status).toBe(200);
    expect((await call('/readyz')).status).toBe(503); // open, and not ready: no worker
    expect((await call('/metrics')).status).toBe(200);
    expect((await call('/openapi.json')).status).toBe(200);
  });

  it("shows a client only its own jobs: another key's job is 404 job_not_found on read, cancel and stream", async () => {
    const mine = await submit(keys.alice);
    expect(mine.status).toBe(202);
    const id = mine.body.id;
    expect((await call<JobView>(`/v1/jobs/${id}`, keys.alice)).body).toMatchObject({ id, status: 'queued' });

    const asBob = await call(`/v1/jobs/${id}`, keys.bob);
    expect([asBob.status, asBob.body.error.code]).toEqual([404, 'job_not_found']);
    const cancelByBob = await call(`/v1/jobs/${id}`, keys.bob, { method: 'DELETE' });
    expect([cancelByBob.status, cancelByBob.body.error.code]).toEqual([404, 'job_not_found']);
    const streamByBob = await call(`/v1/jobs/${id}/events`, keys.bob);
    expect([streamByBob.status, streamByBob.body.error.code]).toEqual([404, 'job_not_found']);
    // Bob's refusal did not touch the job.
    expect((await call<JobView>(`/v1/jobs/${id}`, keys.alice)).body.status).toBe('queued');
  });

  it('logs each request as one access line, with its id, route and status but never its credentials', async () => {
    const requestId = `access-${randomBytes(4).toString('hex')}`;
    const response = await submit(keys.alice);
    const listed = await call('/v1/jobs?limit=1', keys.bob, { headers: { 'X-Request-Id': requestId } });
    expect(response.status).toBe(202);
    expect(listed.status).toBe(200);
    const accessLine = () =>
      system
        .logs()
        .split('\n')
        .find((line) => line.includes(`"id":"${requestId}"`));
    await expect.poll(accessLine).toBeDefined();
    const entry = JSON.parse(accessLine() as string) as {
      msg: string;
      req: Record<string, unknown>;
      res: Record<string, unknown>;
    };
    expect(entry.msg).toBe('request completed');
    expect(entry.req).toMatchObject({ id: requestId, method: 'GET', url: '/v1/jobs?limit=1' });
    expect(entry.res).toMatchObject({ statusCode: 200 });
    for (const key of Object.values(keys)) expect(system.logs()).not.toContain(key);
    expect(system.logs().toLowerCase()).not.toContain('authorization');
  });

  it('accepts a valid HS256 JWT (its subject owns its jobs) and refuses expired, forged and foreign ones', async () => {
    const valid = jwt(secret, { sub: 'dave', iss: issuer, iat: now(), exp: now() + 300 });
    const submitted = await submit(valid);
    expect(submitted.status).toBe(202);
    const read = await call<JobView>(`/v1/jobs/${submitted.body.id}`, valid);
    expect(read.status).toBe(200);
    // dave's job is not alice's, and the other way round.
    expect((await call(`/v1/jobs/${submitted.body.id}`, keys.alice)).status).toBe(404);
    const erin = jwt(secret, { sub: 'erin', iss: issuer, exp: now() + 300 });
    expect((await call(`/v1/jobs/${submitted.body.id}`, erin)).status).toBe(404);

    // One sentence of ours each; jose's own words ("claim check failed", "JWS ...") only in the log.
    const refusals: [string, string, string][] = [
      ['expired', jwt(secret, { sub: 'dave', iss: issuer, exp: now() - 60 }), 'the token has expired'],
      [
        'forged',
        jwt('another-secret-of-at-least-32-chars!', { sub: 'dave', iss: issuer, exp: now() + 300 }),
        "the token's signature does not verify",
      ],
      [
        'foreign issuer',
        jwt(secret, { sub: 'dave', iss: 'https://elsewhere.test', exp: now() + 300 }),
        `the token's "iss" claim is not accepted`,
      ],
      ['no subject', jwt(secret, { iss: issuer, exp: now() + 300 }), 'the token has no "sub" claim'],
      ['no expiry', jwt(secret, { sub: 'dave', iss: issuer }), 'the token has no "exp" claim'],
      ['not a JWT', 'not.a-jwt.at-all', 'the token is not a valid JWT'],
      [
        'alg none',
        jwt(secret, { sub: 'dave', iss: issuer }, { alg: 'none' }).replace(/[^.]+$/, ''),
        "the token's signing algorithm is not accepted",
      ],
    ];
    for (const [name, token, message] of refusals) {
      const refused = await call(`/v1/jobs/${submitted.body.id}`, token);
      expect(refused.status, name).toBe(401);
      expect(refused.body.error.code, name).toBe('unauthorized');
      expect(refused.body.error.message, name).toBe(message);
      expect(refused.headers.get('www-authenticate'), name).toMatch(/error="invalid_token"/);
    }
  });

  it('limits each principal to RATE_LIMIT_PER_MINUTE requests: then 429 rate_limited with Retry-After', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const answer = await call('/v1/models', carolKey);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-limit')).toBe(String(LIMIT));
      remaining.push(Number(answer.headers.get('ratelimit-remaining')));
    }
    expect(remaining).toEqual([...Array(LIMIT).keys()].map((i) => LIMIT - 1 - i));

    const limited = await call<ErrorBody & { error: { details: { retry_after: number } } }>('/v1/models', carolKey);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.error.details.retry_after).toBe(retryAfter);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBe(retryAfter);

    // Per principal: alice is not limited by carol's traffic, and probes never are.
    expect((await call('/v1/models', keys.alice)).status).toBe(200);
    expect((await call('/healthz')).status).toBe(200);
  });
});
