import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { TestSystem } from '../support/system.ts';
import { generateModel, tempRepository } from '../worker/fixtures/fixture-models.ts';
import { installVersion, putRouting, requestReload, waitLive } from '../worker/support/rollout-harness.ts';
import { rssMiB, waitDone } from '../worker/support/worker-harness.ts';

/**
 * The long rollout checks (CI runs this suite too): a canary's share over 1,000 jobs that a
 * real worker answers, and the worker process's RSS over 20 load/unload cycles of a version
 * holding a sizeable weight.
 */
describe('model rollout at length (real processes)', () => {
  let repository: string;
  let system: TestSystem;

  beforeAll(async () => {
    repository = tempRepository({ withReference: true });
    // A second model whose version 2 comes and goes: one 3x3 convolution of 640 channels (a 14 MB weight).
    for (const version of ['1', '2']) {
      generateModel(repository, { kind: 'slow', name: 'big', version, layers: 1, channels: 640, size: 2 });
    }
    system = await TestSystem.start({
      env: { MODEL_REPOSITORY: repository, MODEL_REPOSITORY_POLL_SECONDS: '1', MAX_BATCH_IMAGES: '100' },
      workerEnv: { BATCH_WINDOW_MS: '5', WORKER_CONCURRENCY: '32' },
    });
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(repository, { recursive: true, force: true });
  });

  it('answers a 20 % canary share of 1,000 unpinned jobs with the candidate (± 5), 0 failed', async () => {
    installVersion(repository, '2');
    await waitLive(system, '2', true);
    await putRouting(system, { default_version: '1', canary: { version: '2', percent: 20 } });
    const image = await solidImage(COLOURS.green, 'png', 32);
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const form = new FormData();
      for (let i = 0; i < 100; i++) form.append('image', new Blob([image]), 'leaf.png');
      const response = await fetch(`${system.apiUrl}/v1/jobs:batch`, { method: 'POST', body: form });
      expect(response.status).toBe(202);
      ids.push(...((await response.json()) as { jobs: { id: string }[] }).jobs.map((job) => job.id));
    }
    const jobs: JobView[] = await Promise.all(ids.map((id) => waitDone(system, id, 180_000)));
    expect(jobs.filter((job) => job.status !== 'succeeded')).toEqual([]);
    const canary = jobs.filter((job) => job.model_version === '2').length;
    console.log(`canary 20 %: ${canary} of 1000 jobs answered by version 2 (${(canary / 10).toFixed(1)} %)`);
    expect(canary).toBeGreaterThanOrEqual(150);
    expect(canary).toBeLessThanOrEqual(250);
    await putRouting(system, { default_version: '1' });
  });

  it('keeps the worker RSS bounded over 20 load/unload cycles of a 14 MB version', async () => {
    const pid = system.workers[0]?.child.pid as number;
    const version = path.join(repository, 'big', '2');
    // Parked out of the repository and renamed back: each rename is a removal or a new version.
    const parked = path.join(repository, '.parked-big-2');
    const rss: number[] = [];
    for (let cycle = 0; cycle < 20; cycle++) {
      renameSync(version, parked);
      await requestReload(system);
      await waitLive(system, '2', false, 30_000, 'big');
      renameSync(parked, version);
      await requestReload(system);
      await waitLive(system, '2', true, 30_000, 'big');
      rss.push(rssMiB(pid));
    }
    console.log(`worker RSS per load/unload cycle (MiB): ${rss.map((value) => value.toFixed(0)).join(' ')}`);
    expect(Math.max(...rss.slice(3)) - (rss[2] as number)).toBeLessThan(40);
  });
});
