// A small program against the typed client generated from /openapi.json (test/e2e/openapi-client.e2e.test.ts
// generates ./types.ts beside a copy of this file, type-checks both with tsc, then runs this against a live API).
import createClient from 'openapi-fetch';
import type { paths } from './types.ts';

const [baseUrl, imagePath] = process.argv.slice(2) as [string, string];
const { readFileSync } = await import('node:fs');
const client = createClient<paths>({ baseUrl });

/**
 * Multipart bodies go out as FormData (the generated type says `image` is a Blob). The serializer takes
 * the operation's body union (multipart, JSON or raw image); this program only sends the multipart one.
 */
const formData = (body: unknown) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(body as Record<string, string | Blob | undefined>)) {
    if (value !== undefined) form.append(name, value);
  }
  return form;
};

const image: Blob = new Blob([readFileSync(imagePath)], { type: 'image/jpeg' });
const submitted = await client.POST('/v1/jobs', {
  params: { header: { Prefer: 'wait=10' } },
  body: { image, model: 'plant-pathology' },
  bodySerializer: formData,
});
if (submitted.error) throw new Error(`submit: ${submitted.error.error.code} ${submitted.error.error.message}`);
// 200 with the finished job, or 202 with its state: the generated union covers both.
const id: string = submitted.data.id;

const waited = await client.GET('/v1/jobs/{id}', { params: { path: { id }, header: { Prefer: 'wait=10' } } });
if (waited.error) throw new Error(`get: ${waited.error.error.code}`);
const top = waited.data.result?.predictions[0];

// A second job canceled at once (no worker runs it this fast under the test's paused queue).
const second = await client.POST('/v1/jobs', { body: { image }, bodySerializer: formData });
if (second.error) throw new Error(`submit 2: ${second.error.error.code}`);
const canceled = await client.DELETE('/v1/jobs/{id}', { params: { path: { id: second.data.id } } });
const cancelOutcome = canceled.error ? canceled.error.error.code : canceled.data.status;

const listed = await client.GET('/v1/jobs', { params: { query: { limit: 10 } } });
if (listed.error) throw new Error(`list: ${listed.error.error.code}`);

const refused = await client.GET('/v1/jobs/{id}', { params: { path: { id: 'not-a-job' } } });
// error.code is an enum of this operation's codes: a typo here would not compile.
const refusedCode:
  | 'job_not_found'
  | 'job_expired'
  | 'unauthorized'
  | 'rate_limited'
  | 'internal_error'
  | 'service_unavailable'
  | undefined = refused.error?.error.code;

console.log(
  JSON.stringify({
    status: waited.data.status,
    label: top?.label,
    cancelOutcome,
    listed: listed.data.jobs.map((job) => job.id),
    refusedCode,
    requestId: waited.response.headers.get('x-request-id') !== null,
  }),
);
