import type { JobAccepted } from '@infer/contracts';
import { newJobId } from '@infer/queues';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { submitImage } from '../../../../test/support/jobs-client.ts';
import { fetchConforming, OpenApiConformance } from '../../../../test/support/openapi-conformance.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

/** Reading, canceling and streaming a job that is not there: 404s decided before any worker (the app in-process on real Redis). */
describe('unknown and malformed job ids (in-process API, real Redis)', () => {
  let system: InProcessApi;
  let image: Buffer;
  const conformance = new OpenApiConformance();
  const call = <T = unknown>(path: string, init?: RequestInit) =>
    fetchConforming<T>(conformance, system.url(path), init);

  beforeAll(async () => {
    image = await solidImage(COLOURS.green, 'png', 32);
    system = await InProcessApi.start();
  });
  afterAll(async () => {
    await system?.close();
  });

  const submit = async (fields: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('image', new Blob([image]), 'leaf.png');
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    return fetch(system.url('/v1/jobs'), { method: 'POST', body: form, headers });
  };
  const idOf = async (response: Response) => {
    const body = await response.text();
    expect(response.status, body).toBe(202);
    return (JSON.parse(body) as JobAccepted).id;
  };

  it('answers job_not_found for an id never issued', async () => {
    const response = await fetch(system.url(`/v1/jobs/${newJobId()}`));
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error.code).toBe('job_not_found');
  });

  it("answers 404 job_not_found, not 500, for ids that are not job ids (e.g. naming a job's image key)", async () => {
    const id = await idOf(await submit());
    for (const bad of [`${id}:image`, 'not-a-job', `${id}:x`]) {
      for (const [method, path] of [
        ['GET', `/v1/jobs/${encodeURIComponent(bad)}`],
        ['DELETE', `/v1/jobs/${encodeURIComponent(bad)}`],
        ['GET', `/v1/jobs/${encodeURIComponent(bad)}/events`],
        ['POST', `/v1/jobs/${encodeURIComponent(bad)}/webhook/redeliver`],
      ] as const) {
        const response = await fetch(system.url(path), { method });
        const body = await response.text();
        expect(response.status, `${method} ${path}: ${body}`).toBe(404);
        expect((JSON.parse(body) as ErrorBody).error.code).toBe('job_not_found');
      }
    }
    await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
  });

  it('the event stream of an unknown job answers 404 job_not_found as JSON', async () => {
    const missing = await call<{ error: { code: string } }>('/v1/jobs/0000-not-a-job/events');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('job_not_found');
  });
});

describe('expiry (in-process API, real Redis, RESULT_TTL_SECONDS=2)', () => {
  let system: InProcessApi;
  beforeAll(async () => {
    system = await InProcessApi.start({ env: { RESULT_TTL_SECONDS: '2' } });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('a queued job never expires; a finished one past its TTL is 404 job_expired, not job_not_found', async () => {
    const response = await submitImage(system.apiUrl, await solidImage(COLOURS.yellow, 'png', 32));
    const { id } = (await response.json()) as JobAccepted;
    expect((await fetch(system.url(`/v1/jobs/${id}`))).status).toBe(200);
    // RESULT_TTL_SECONDS runs from the terminal state: a queued job never expires.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await fetch(system.url(`/v1/jobs/${id}`))).status).toBe(200);
    expect((await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' })).status).toBe(200);
    await expect
      .poll(
        async () => {
          const answer = await fetch(system.url(`/v1/jobs/${id}`));
          return answer.status === 404 ? ((await answer.json()) as ErrorBody).error.code : answer.status;
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe('job_expired');
    const cancel = await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
    expect(((await cancel.json()) as ErrorBody).error.code).toBe('job_expired');
  });
});
