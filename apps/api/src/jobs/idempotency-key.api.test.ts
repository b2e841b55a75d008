import type { JobView } from '@infer/contracts';
import { describe, expect, it } from 'vitest';
import { accepted, refused } from '../../../../test/support/api-answers.ts';
import { testRedis } from '../../../../test/support/redis.ts';
import { useSubmissionApi } from '../testing/submission-api.ts';

/** Idempotency-Key replays and refusals: decided at accept time, before any worker (the app in-process on real Redis). */
describe('Idempotency-Key (in-process API, real Redis)', () => {
  const suite = useSubmissionApi();
  const { postJson } = suite;
  it('returns the original job (200) for the same key and body, 409 for another body', async () => {
    const body = { image_base64: suite.green.toString('base64'), metadata: { try: 1 } };
    const first = await accepted(await postJson(body, { 'idempotency-key': 'order-1' }));
    const again = await postJson(body, { 'idempotency-key': 'order-1' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as JobView).id).toBe(first.id);
    await refused(
      await postJson({ ...body, metadata: { try: 2 } }, { 'idempotency-key': 'order-1' }),
      409,
      'idempotency_key_reused',
      'Idempotency-Key',
    );
    // Key order inside objects does not make another request.
    const reordered = await postJson(
      { metadata: { try: 1 }, image_base64: body.image_base64 },
      { 'idempotency-key': 'order-1' },
    );
    expect(reordered.status).toBe(200);
    // Another key is another job.
    expect((await accepted(await postJson(body, { 'idempotency-key': 'order-2' }))).id).not.toBe(first.id);
  });

  it('a refused request does not burn its key', async () => {
    await refused(
      await postJson({ image_url: suite.images.url('/missing') }, { 'idempotency-key': 'retry-me' }),
      422,
      'image_fetch_failed',
    );
    await accepted(await postJson({ image_url: suite.images.url('/leaf.png') }, { 'idempotency-key': 'retry-me' }));
  });

  it('makes exactly one job out of 20 concurrent identical submissions', async () => {
    const body = { image_url: suite.images.url('/redirect'), metadata: { concurrent: true } };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postJson(body, { 'idempotency-key': 'burst-20' })),
    );
    const answers = await Promise.all(
      responses.map(async (r) => ({ status: r.status, body: (await r.json()) as JobView })),
    );
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size, JSON.stringify(answers)).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
    const redis = testRedis();
    try {
      // Job records only: with no worker to consume them, the image payloads (`job:<id>:image`) are still there.
      const records = (await redis.keys(`${suite.api.prefix}:*:job:*`)).filter((key) => !key.endsWith(':image'));
      const withMetadata = await Promise.all(records.map((key) => redis.hget(key, 'metadata')));
      expect(withMetadata.filter((m) => m === JSON.stringify(body.metadata))).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('works for batches too', async () => {
    const body = { images: [{ image_base64: suite.green.toString('base64') }] };
    const first = await postJson(body, { 'idempotency-key': 'batch-1' }, '/v1/jobs:batch');
    expect(first.status).toBe(202);
    const again = await postJson(body, { 'idempotency-key': 'batch-1' }, '/v1/jobs:batch');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
  });
});
