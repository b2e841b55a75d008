import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { submitImage } from '../../../../test/support/jobs-client.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

/** What POST /v1/jobs refuses of an upload, decided before any worker (the app in-process on real Redis). */
describe('upload refusals (in-process API, real Redis)', () => {
  let system: InProcessApi;

  beforeAll(async () => {
    system = await InProcessApi.start({ env: { MAX_UPLOAD_BYTES: String(256 * 1024) } });
  });
  afterAll(async () => {
    await system?.close();
  });

  it('answers 415 for a non-image upload, whatever its declared type', async () => {
    const form = new FormData();
    form.set('image', new Blob(['not an image at all'], { type: 'image/png' }), 'leaf.png');
    const response = await fetch(system.url('/v1/jobs'), { method: 'POST', body: form });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: { code: 'unsupported_media_type', message: expect.any(String), details: { field: 'image' } },
    });
  });

  it('answers 415 for a body in a charset or encoding the API cannot read', async () => {
    const cases: Record<string, string>[] = [
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json', 'content-encoding': 'compress' },
    ];
    for (const headers of cases) {
      const response = await fetch(system.url('/v1/jobs'), { method: 'POST', headers, body: '{"image_url":"x"}' });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
  });

  it('answers 400 missing_image without an image field', async () => {
    const form = new FormData();
    form.set('model', 'plant-pathology');
    const response = await fetch(system.url('/v1/jobs'), { method: 'POST', body: form });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('missing_image');
  });

  it('answers 413 for an upload above MAX_UPLOAD_BYTES', async () => {
    const big = await sharp({
      create: {
        width: 1200,
        height: 1200,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    expect(big.length).toBeGreaterThan(256 * 1024);
    const response = await submitImage(system.apiUrl, big);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('answers 400 unknown_model for a model the repository does not hold', async () => {
    const response = await submitImage(system.apiUrl, await solidImage(COLOURS.green), { model: 'no-such-model' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_model');
  });

  it('answers 404 job_not_found for an unknown id', async () => {
    const response = await fetch(system.url('/v1/jobs/00000000-0000-0000-0000-000000000000'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'job_not_found', message: expect.any(String) } });
  });
});
