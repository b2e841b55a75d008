import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepted, postJson as postJsonTo, SUBMISSION_LIMITS_ENV } from '../../../../test/support/api-answers.ts';
import { type ImageServer, imageServer } from '../../../../test/support/image-server.ts';
import { COLOURS, solidImage } from '../../../../test/support/images.ts';
import { submitImage } from '../../../../test/support/jobs-client.ts';
import { testRedis } from '../../../../test/support/redis.ts';
import { InProcessApi } from '../testing/in-process-api.ts';

/** What a submission's webhook options store for the dispatcher, at accept time (the app in-process on real Redis). */
describe('webhook options of a submission (in-process API, real Redis)', () => {
  let system: InProcessApi;
  let images: ImageServer;
  let green: Buffer;

  beforeAll(async () => {
    green = await solidImage(COLOURS.green, 'png', 64);
    images = await imageServer(green);
    system = await InProcessApi.start({ env: SUBMISSION_LIMITS_ENV });
  });
  afterAll(async () => {
    await system?.close();
    images?.server.close();
  });

  const postJson = (body: unknown, headers: Record<string, string> = {}, path = '/v1/jobs') =>
    postJsonTo(system.apiUrl, body, headers, path);

  it('stores the default webhook events (terminal ones) when only webhook_url is given', async () => {
    const job = await accepted(
      await postJson({ image_base64: green.toString('base64'), webhook_url: images.url('/hook') }),
    );
    const redis = testRedis();
    try {
      const events = await redis.hget(`${system.prefix}:job:${job.id}`, 'webhook_events');
      expect(JSON.parse(events ?? '[]')).toEqual(['job.succeeded', 'job.failed', 'job.canceled']);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a webhook_url on a private address at submission', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://[::1]:8080/']) {
      const response = await submitImage(system.apiUrl, green, { webhook_url: url });
      expect(response.status, url).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'url_not_allowed' } });
    }
  });
});
