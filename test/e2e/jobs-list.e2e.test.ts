import { createHash, randomBytes } from 'node:crypto';
import type { JobView } from '@infer/contracts';
import { redisKeys } from '@infer/job-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone } from '../support/jobs-client.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';

type Page = { jobs: JobView[]; next_cursor: string | null };

/** GET /v1/jobs: newest first, cursor pages, filters, per principal, gone with the record (real processes). */
describe('GET /v1/jobs (real API, worker, Redis)', () => {
  const keys = { alice: randomBytes(24).toString('base64url'), bob: randomBytes(24).toString('base64url') };
  let system: TestSystem;
  let image: Buffer;
  const as = (who: keyof typeof keys) => ({ authorization: `Bearer ${keys[who]}` });
  const list = async (who: keyof typeof keys, query = ''): Promise<Page> => {
    const response = await fetch(system.url(`/v1/jobs${query}`), { headers: as(who) });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page;
  };
  const submit = async (who: keyof typeof keys, model?: string) => {
    const form = new FormData();
    form.set('image', new Blob([image]), 'leaf.png');
    if (model) form.set('model', model);
    const response = await fetch(system.url('/v1/jobs'), { method: 'POST', body: form, headers: as(who) });
    return ((await response.json()) as JobView).id;
  };

  beforeAll(async () => {
    image = await solidImage(COLOURS.green, 'png', 32);
    system = await TestSystem.start({
      env: {
        API_KEYS: `alice:${createHash('sha256').update(keys.alice).digest('hex')},bob:${createHash('sha256').update(keys.bob).digest('hex')}`,
        // Long enough for the first tests on a busy machine, short enough to watch expiry in the last.
        RESULT_TTL_SECONDS: '10',
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('pages newest first with an opaque cursor, each principal seeing only their jobs, filtered by status and time', async () => {
    const alice: string[] = [];
    for (let i = 0; i < 5; i++) alice.push(await submit('alice'));
    const bobs = await submit('bob');
    for (const id of alice) await pollUntilDone(system.apiUrl, id, 20_000).catch(() => undefined);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list('alice', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...alice].reverse());
    expect(seen).not.toContain(bobs);
    expect((await list('bob')).jobs.map((job) => job.id)).toEqual([bobs]);

    const succeeded = await list('alice', '?status=succeeded,failed');
    expect(succeeded.jobs.every((job) => job.status === 'succeeded' || job.status === 'failed')).toBe(true);
    expect((await list('alice', '?status=canceled')).jobs).toEqual([]);
    const third = (await list('alice', `?limit=5`)).jobs[2] as JobView;
    const after = await list('alice', `?created_after=${encodeURIComponent(third.created_at)}`);
    expect(after.jobs.every((job) => Date.parse(job.created_at) > Date.parse(third.created_at))).toBe(true);
    const before = await list('alice', `?created_before=${encodeURIComponent(third.created_at)}&model=plant-pathology`);
    expect(before.jobs.every((job) => Date.parse(job.created_at) < Date.parse(third.created_at))).toBe(true);
    expect(after.jobs.length + before.jobs.length).toBeLessThanOrEqual(4);
    expect((await list('alice', '?model=other')).jobs).toEqual([]);
  });

  it('an expired job leaves the list with its record, and the index is trimmed with it', {
    timeout: 30_000,
  }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    expect((await list('alice')).jobs).toEqual([]);
    const fresh = await submit('alice');
    expect((await list('alice')).jobs.map((job) => job.id)).toEqual([fresh]);
    const redis = testRedis();
    try {
      // Only the live job is left in alice's index (one per job-store shard): the listing dropped
      // the expired ones it met, and the write trimmed its own shard's.
      const shards = redisKeys(system.prefix).shards;
      const entries = await Promise.all(shards.map((shard) => redis.zrange(shard.jobIndex('key:alice'), 0, '-1')));
      expect(entries.flat()).toEqual([fresh]);
    } finally {
      redis.disconnect();
    }
  });
});
