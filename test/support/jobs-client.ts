import type { JobView } from '@infer/contracts';

/** Submit an image as multipart/form-data, as curl -F would. */
export async function submitImage(
  baseUrl: string,
  image: Uint8Array,
  fields: Record<string, string> = {},
  filename = 'leaf.png',
): Promise<Response> {
  const form = new FormData();
  form.set('image', new Blob([image]), filename);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return fetch(`${baseUrl}/v1/jobs`, { method: 'POST', body: form });
}

/** Poll GET /v1/jobs/:id until the job is terminal. */
export async function pollUntilDone(baseUrl: string, id: string, timeoutMs = 30_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/v1/jobs/${id}`);
    if (!response.ok) throw new Error(`GET /v1/jobs/${id} answered ${response.status}: ${await response.text()}`);
    const job = (await response.json()) as JobView;
    if (['succeeded', 'failed', 'canceled'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} not done within ${timeoutMs} ms`);
}
