import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSentinelGroup, startLocalSentinelGroup } from '../../dev-support/local-sentinel-group.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { TestSystem } from '../support/system.ts';

// Bounds for two loaded cores; the measured figures are printed.
const ANSWER_WITHIN_MS = 2000;
const ACCEPT_AGAIN_WITHIN_MS = 20_000;

interface Answer {
  sentAt: number;
  tookMs: number;
  /** 0: no answer in time (a hang) or the connection failed. */
  status: number;
  retryAfter: string | null;
  id?: string;
}

/**
 * The API, a worker and their connections on a real Sentinel group (REDIS_SENTINELS alone):
 * the primary SIGKILLed under continuous submissions. Every answer comes at once: 202, or 503
 * with Retry-After while no primary answers; never a 500, never a hang. Submissions are accepted
 * again once a replica is promoted, and the worker, which followed too, runs them.
 */
describe('the API and a worker through Redis Sentinel, primary SIGKILLed under submissions', () => {
  let group: LocalSentinelGroup;
  let system: TestSystem;
  let image: Buffer;

  beforeAll(async () => {
    image = await solidImage(COLOURS.green, 'png', 48);
    group = await startLocalSentinelGroup({ replicas: 2, sentinels: 3 });
    // REDIS_URL only carries credentials and the database in Sentinel mode: its host is never dialled.
    system = await TestSystem.start({
      workers: 1,
      env: { REDIS_URL: 'redis://unused.invalid:6379', REDIS_SENTINELS: group.sentinelList },
    });
  }, 120_000);
  afterAll(async () => {
    try {
      await system?.stop();
    } finally {
      await group?.stop();
    }
  });

  async function submit(): Promise<Answer> {
    const form = new FormData();
    form.set('image', new Blob([image]), 'leaf.png');
    const sentAt = Date.now();
    try {
      const response = await fetch(system.url('/v1/jobs'), {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as { id?: string };
      return {
        sentAt,
        tookMs: Date.now() - sentAt,
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        id: response.status === 202 ? body.id : undefined,
      };
    } catch {
      return { sentAt, tookMs: Date.now() - sentAt, status: 0, retryAfter: null };
    }
  }

  it('answers 503 with Retry-After at once during the switch, never 500 or a hang, then 202 again', async () => {
    const answers: Answer[] = [];
    const load = { until: Number.POSITIVE_INFINITY };
    const clients = Array.from({ length: 3 }, async () => {
      while (Date.now() < load.until) {
        answers.push(await submit());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { node: killed, killedAt } = await group.killPrimary();
    const promoted = await group.waitForNewPrimary(killed);
    const promotedAt = Date.now();
    // Load until a few answers after the first 202 that followed the kill (or the bound).
    const acceptedAgain = () => answers.find((a) => a.sentAt > killedAt && a.status === 202);
    while (Date.now() - killedAt < ACCEPT_AGAIN_WITHIN_MS && !acceptedAgain()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    load.until = 0;
    await Promise.all(clients);

    const after = answers.filter((a) => a.sentAt + a.tookMs > killedAt);
    const refused = after.filter((a) => a.status === 503);
    const first202 = acceptedAgain();
    const figures = {
      killToPromotedMs: promotedAt - killedAt,
      killToFirst202Ms: first202 ? first202.sentAt + first202.tookMs - killedAt : undefined,
      answersAfterKill: after.length,
      answered503: refused.length,
      slowestAnswerMs: Math.max(...after.map((a) => a.tookMs)),
      statuses: [...new Set(answers.map((a) => a.status))].sort(),
    };
    console.info('API through Sentinel, primary SIGKILLed under submissions:', figures);

    expect(promoted).not.toBe(killed);
    expect(answers.filter((a) => a.status !== 202 && a.status !== 503)).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((a) => a.retryAfter === null)).toEqual([]);
    expect(figures.slowestAnswerMs).toBeLessThan(ANSWER_WITHIN_MS);
    expect(first202).toBeDefined();

    // The worker followed the failover too: what was accepted on the new primary runs.
    const acceptedOnNewPrimary = answers.filter((a) => a.id !== undefined && a.sentAt > promotedAt).slice(0, 5);
    expect(acceptedOnNewPrimary.length).toBeGreaterThan(0);
    for (const { id } of acceptedOnNewPrimary) {
      await expect
        .poll(async () => ((await (await fetch(system.url(`/v1/jobs/${id}`))).json()) as JobView).status, {
          timeout: 30_000,
          interval: 250,
        })
        .toBe('succeeded');
    }
  }, 120_000);
});
