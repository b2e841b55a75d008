import { describe, expect, it } from 'vitest';
import { refused } from '../../../../test/support/api-answers.ts';
import { submitImage } from '../../../../test/support/jobs-client.ts';
import { testRedis } from '../../../../test/support/redis.ts';
import { useSubmissionApi } from '../testing/submission-api.ts';

/** Every refusal of a submission is decided before any worker: the app in-process on real Redis. */
describe('POST /v1/jobs and :batch refuse bad submissions, naming the field (in-process API, real Redis)', () => {
  const suite = useSubmissionApi();
  const { postJson } = suite;

  it('refuses image_url that fails: HTTP error, not an image, too large, too many redirects', async () => {
    await refused(await postJson({ image_url: suite.images.url('/missing') }), 422, 'image_fetch_failed', 'image_url');
    await refused(await postJson({ image_url: suite.images.url('/text') }), 415, 'unsupported_media_type', 'image_url');
    await refused(await postJson({ image_url: suite.images.url('/big') }), 413, 'url_too_large', 'image_url');
    await refused(await postJson({ image_url: suite.images.url('/loop') }), 502, 'url_fetch_failed', 'image_url');
  });

  it('refuses image_url aimed at loopback, private, link-local/metadata and IPv6 loopback addresses', async () => {
    const port = new URL(suite.images.url('/')).port;
    for (const url of [
      `http://127.0.0.2:${port}/leaf.png`, // loopback, but not the allow-listed address
      'http://10.1.2.3/leaf.png',
      'http://192.168.0.1/leaf.png',
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/leaf.png`,
      `http://[::ffff:127.0.0.2]:${port}/leaf.png`,
    ]) {
      await refused(await postJson({ image_url: url }), 400, 'url_not_allowed', 'image_url');
    }
    await refused(await postJson({ image_url: 'ftp://127.0.0.1/leaf.png' }), 400, 'invalid_request', 'image_url');
    await refused(await postJson({ image_url: 'file:///etc/passwd' }), 400, 'invalid_request', 'image_url');
  });

  it('names the field of every malformed submission', async () => {
    const b64 = suite.green.toString('base64');
    await refused(await postJson({}), 400, 'missing_image', 'image');
    await refused(
      await postJson({ image_base64: b64, image_url: suite.images.url('/leaf.png') }),
      400,
      'ambiguous_image',
      'image_url',
    );
    await refused(await postJson({ image_base64: b64, colour: 'red' }), 400, 'invalid_request', 'colour');
    await refused(await postJson({ image_base64: '***' }), 400, 'invalid_request', 'image_base64');
    await refused(await postJson({ image_base64: b64, priority: 101 }), 400, 'invalid_request', 'priority');
    await refused(await postJson({ image_base64: b64, priority: 1.5 }), 400, 'invalid_request', 'priority');
    await refused(await postJson({ image_base64: b64, metadata: [1] }), 400, 'invalid_request', 'metadata');
    await refused(
      await postJson({ image_base64: b64, metadata: { big: 'x'.repeat(5000) } }),
      400,
      'invalid_request',
      'metadata',
    );
    await refused(
      await postJson({ image_base64: b64, webhook_url: 'ftp://x.example.com' }),
      400,
      'invalid_request',
      'webhook_url',
    );
    await refused(
      await postJson({ image_base64: b64, webhook_url: 'https://x.example.com', webhook_events: ['job.exploded'] }),
      400,
      'invalid_request',
      'webhook_events[0]',
    );
    await refused(
      await postJson({ image_base64: b64, webhook_events: ['job.failed'] }),
      400,
      'invalid_request',
      'webhook_events',
    );
    await refused(
      await postJson({ image_base64: b64 }, { 'cancel-after': 'soon' }),
      400,
      'invalid_request',
      'Cancel-After',
    );
    await refused(await postJson({ image_base64: b64, model: 'nope' }), 400, 'unknown_model');
    await refused(
      await postJson({ image_base64: Buffer.from('hello').toString('base64') }),
      415,
      'unsupported_media_type',
      'image_base64',
    );
    await refused(
      await postJson({ image_base64: Buffer.alloc(300 * 1024).toString('base64') }),
      413,
      'payload_too_large',
      'image_base64',
    );
    const badJson = await fetch(suite.api.url('/v1/jobs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"image_base64":',
    });
    await refused(badJson, 400, 'invalid_request');
    const twoFiles = new FormData();
    twoFiles.append('image', new Blob([suite.green]), 'a.png');
    twoFiles.append('image', new Blob([suite.green]), 'b.png');
    await refused(
      await fetch(suite.api.url('/v1/jobs'), { method: 'POST', body: twoFiles }),
      400,
      'ambiguous_image',
      'image',
    );
    await refused(
      await submitImage(suite.api.apiUrl, suite.green, { colour: 'red' }),
      400,
      'invalid_request',
      'colour',
    );
    await refused(
      await submitImage(suite.api.apiUrl, suite.green, { priority: 'high' }),
      400,
      'invalid_request',
      'priority',
    );
    await refused(
      await submitImage(suite.api.apiUrl, suite.green, { metadata: '{oops' }),
      400,
      'invalid_request',
      'metadata',
    );
    const rawUnknown = await fetch(suite.api.url('/v1/jobs?colour=red'), {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: suite.green,
    });
    await refused(rawUnknown, 400, 'invalid_request', 'colour');
    const empty = await fetch(suite.api.url('/v1/jobs'), { method: 'POST', headers: { 'content-type': 'image/png' } });
    await refused(empty, 400, 'missing_image', 'image');
    const text = await fetch(suite.api.url('/v1/jobs'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    await refused(text, 415, 'unsupported_media_type');
  });

  describe('POST /v1/jobs:batch', () => {
    it('refuses a batch body above MAX_BATCH_BYTES with 413 before reading it', async () => {
      // Each item is within MAX_UPLOAD_BYTES and four fit MAX_BATCH_IMAGES: only the total is too much.
      const images = Array.from({ length: 4 }, () => ({ image_base64: 'A'.repeat(300 * 1024) }));
      await refused(await postJson({ images }, {}, '/v1/jobs:batch'), 413, 'payload_too_large');
    });

    it('refuses the whole batch, naming the item, when one image is bad; creates no job', async () => {
      const redis = testRedis();
      try {
        const before = await redis.keys(`${suite.api.prefix}:*:job:*`);
        const b64 = suite.green.toString('base64');
        await refused(
          await postJson({ images: [{ image_base64: b64 }, { image_base64: 'aGVsbG8=' }] }, {}, '/v1/jobs:batch'),
          415,
          'unsupported_media_type',
          'images[1].image_base64',
        );
        await refused(
          await postJson(
            { images: [{ image_base64: b64 }, { image_url: suite.images.url('/missing') }] },
            {},
            '/v1/jobs:batch',
          ),
          422,
          'image_fetch_failed',
          'images[1].image_url',
        );
        await refused(
          await postJson({ images: [{ image_base64: b64 }, {}] }, {}, '/v1/jobs:batch'),
          400,
          'missing_image',
          'images[1]',
        );
        await refused(
          await postJson({ images: Array.from({ length: 5 }, () => ({ image_base64: b64 })) }, {}, '/v1/jobs:batch'),
          400,
          'invalid_request',
          'images',
        );
        await refused(await postJson({ images: [] }, {}, '/v1/jobs:batch'), 400, 'invalid_request', 'images');
        expect(await redis.keys(`${suite.api.prefix}:*:job:*`)).toEqual(before);
      } finally {
        redis.disconnect();
      }
    });
  });
});
