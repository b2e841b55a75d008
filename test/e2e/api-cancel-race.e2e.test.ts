import type { JobAccepted, JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { jobIdsLogged } from '../support/logs.ts';
import { TestSystem } from '../support/system.ts';

const startedInLogs = (logs: string): Set<string> => jobIdsLogged(logs, 'job started');

describe('cancel racing a worker (real API, worker and Redis processes)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ workerEnv: { WORKER_CONCURRENCY: '4', MAX_BATCH_SIZE: '4' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('every job is either canceled and never ran, or ran to completion and the cancel was refused', async () => {
    const image = await solidImage(COLOURS.darkOlive, 'png', 48);
    // Submit and cancel at once, many in flight: some cancels land before the worker picks the job, some after.
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 5));
        const { id } = (await (await submitImage(system.apiUrl, image)).json()) as JobAccepted;
        const cancel = await fetch(system.url(`/v1/jobs/${id}`), { method: 'DELETE' });
        const body = (await cancel.json()) as JobView & { error: { code: string; details?: { status: string } } };
        return { id, cancelStatus: cancel.status, body };
      }),
    );
    const finals = await Promise.all(outcomes.map(({ id }) => pollUntilDone(system.apiUrl, id)));
    const started = startedInLogs(system.workers.map((worker) => worker.logs).join('\n'));

    for (const [i, outcome] of outcomes.entries()) {
      const final = finals[i] as JobView;
      const context = JSON.stringify({ outcome, final });
      if (outcome.cancelStatus === 200) {
        expect(final.status, context).toBe('canceled');
        expect(final.started_at, context).toBeNull();
        expect(final.result, context).toBeNull();
        expect(started.has(outcome.id), context).toBe(false);
      } else {
        expect(outcome.cancelStatus, context).toBe(409);
        expect(outcome.body.error.code, context).toBe('job_not_cancelable');
        expect(['running', 'succeeded'], context).toContain(outcome.body.error.details?.status);
        expect(final.status, context).toBe('succeeded');
        expect(final.started_at, context).not.toBeNull();
        expect(started.has(outcome.id), context).toBe(true);
      }
    }
    const canceled = outcomes.filter((o) => o.cancelStatus === 200).length;
    console.info(`cancel race: ${canceled} canceled before start, ${outcomes.length - canceled} ran`);
    expect(system.workers[0]?.exited).toBe(false);
  });
});
