import { redisKeys } from '@infer/job-store';
import { describe, expect, it } from 'vitest';
import { accepted } from '../../../../test/support/api-answers.ts';
import { submitImage } from '../../../../test/support/jobs-client.ts';
import { testRedis } from '../../../../test/support/redis.ts';
import { useSubmissionApi } from '../testing/submission-api.ts';

/** What a submission's webhook options store for the dispatcher, at accept time (the app in-process on real Redis). */
describe('webhook options of a submission (in-process API, real Redis)', () => {
  const suite = useSubmissionApi();
  const { postJson } = suite;

  it('stores the default webhook events (terminal ones) when only webhook_url is given', async () => {
    const job = await accepted(
      await postJson({ image_base64: suite.green.toString('base64'), webhook_url: suite.images.url('/hook') }),
    );
    const redis = testRedis();
    try {
      const events = await redis.hget(redisKeys(suite.api.prefix).job(job.id), 'webhook_events');
      expect(JSON.parse(events ?? '[]')).toEqual(['job.succeeded', 'job.failed', 'job.canceled']);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a webhook_url on a private address at submission', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', 'http://[::1]:8080/']) {
      const response = await submitImage(suite.api.apiUrl, suite.green, { webhook_url: url });
      expect(response.status, url).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'url_not_allowed' } });
    }
  });
});
