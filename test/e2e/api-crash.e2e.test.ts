import type { JobView } from '@infer/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { testRedis } from '../support/redis.ts';
import { TestSystem } from '../support/system.ts';

/** Job records under the system's prefix (payload keys excluded), and BullMQ jobs of the model's queue. */
async function countJobs(system: TestSystem): Promise<{ records: string[]; queued: number }> {
  const redis = testRedis();
  try {
    const keys = await redis.keys(`${system.prefix}:*:job:*`);
    const records = keys.filter((key) => !key.endsWith(':image')).map((key) => key.split(':').pop() as string);
    const bullJobs = (await redis.keys(`${system.prefix}:{inference.plant-pathology}:*`)).filter((key) =>
      /:[0-9a-f]{8}-[0-9a-f-]{27}$/.test(key),
    );
    return { records, queued: bullJobs.length };
  } finally {
    redis.disconnect();
  }
}

/**
 * The API killed (SIGKILL, via CRASH_AT) at the two dangerous points of a
 * submission: after the jobs are stored, before they are enqueued; and after
 * they are enqueued, before the answer reaches the client.
 */
describe('an API that dies mid-submission loses no job and makes no second one (real processes)', () => {
  let system: TestSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  for (const point of ['submit:after-create', 'submit:after-enqueue']) {
    it(`with an Idempotency-Key, a retry after a crash at ${point} answers the original job, which runs once`, async () => {
      system = await TestSystem.start({ apiEnv: { CRASH_AT: point } });
      const image = await solidImage(COLOURS.orangeBrown, 'png', 32);
      const headers = { 'idempotency-key': `crash-${point}` };
      const form = () => {
        const body = new FormData();
        body.set('image', new Blob([image]), 'leaf.png');
        return body;
      };
      const cut = await fetch(system.url('/v1/jobs'), { method: 'POST', body: form(), headers }).catch((e) => e);
      expect(cut).toBeInstanceOf(Error);
      expect(await system.api.waitForExit()).toBe('SIGKILL');

      await system.restartApi();
      const retry = await fetch(system.url('/v1/jobs'), { method: 'POST', body: form(), headers });
      const answer = (await retry.json()) as JobView;
      expect(retry.status, JSON.stringify(answer)).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const done = await pollUntilDone(system.apiUrl, answer.id, 20_000);
      expect(done.status).toBe('succeeded');
      expect(done.result?.predictions[0]?.label).toBe('rust');
      // Exactly one job, stored and queued once: the key was bound to it when it was created.
      expect(await countJobs(system)).toEqual({ records: [answer.id], queued: 1 });
    });
  }

  it('without a key, a job stored just before the crash is enqueued by the restarted API and runs', async () => {
    system = await TestSystem.start({ apiEnv: { CRASH_AT: 'submit:after-create' } });
    const image = await solidImage(COLOURS.green, 'png', 32);
    expect(await submitImage(system.apiUrl, image).catch((e) => e)).toBeInstanceOf(Error);
    expect(await system.api.waitForExit()).toBe('SIGKILL');
    const { records } = await countJobs(system);
    expect(records).toHaveLength(1);
    const id = records[0] as string;

    await system.restartApi();
    // Stored, never enqueued: the enqueue repair finds it within its grace period plus one sweep.
    const started = Date.now();
    const done = await pollUntilDone(system.apiUrl, id, 20_000);
    expect(done.status).toBe('succeeded');
    expect(done.result?.predictions[0]?.label).toBe('healthy');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(system.api.logs).toContain('never enqueued');
    expect(await countJobs(system)).toEqual({ records: [id], queued: 1 });
  });
});
