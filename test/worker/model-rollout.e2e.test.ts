import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JobView } from '@infer/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { submitImage } from '../support/jobs-client.ts';
import { TestSystem } from '../support/system.ts';
import { tempRepository } from './fixtures/fixture-models.ts';
import {
  ContinuousLoad,
  getRouting,
  installVersion,
  modelView,
  putRouting,
  requestReload,
  waitLive,
} from './support/rollout-harness.ts';
import { eventually, submit, waitDone } from './support/worker-harness.ts';

const POLL_SECONDS = 1;
const failures = (jobs: JobView[]) => jobs.filter((job) => job.status !== 'succeeded');

/**
 * Rolling out a model version with the API and a worker running throughout, under
 * continuous load, no process restarted: hot load, a half-copied and a broken version,
 * shadow agreement, promote and roll back, removal while pinned jobs run.
 */
describe('model rollout without a restart (real processes, continuous load)', () => {
  let repository: string;
  let system: TestSystem;
  let green: Buffer;
  let rust: Buffer;

  beforeAll(async () => {
    repository = tempRepository({ withReference: true });
    system = await TestSystem.start({
      env: { MODEL_REPOSITORY: repository, MODEL_REPOSITORY_POLL_SECONDS: String(POLL_SECONDS) },
      workerEnv: { BATCH_WINDOW_MS: '5', SHADOW_MAX_IN_FLIGHT: '64', WORKER_CONCURRENCY: '16' },
    });
    green = await solidImage(COLOURS.green, 'png', 64);
    rust = await solidImage(COLOURS.orangeBrown, 'png', 64);
    // A policy from the start: a new version serves unpinned jobs only once promoted.
    await putRouting(system, { default_version: '1' });
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(repository, { recursive: true, force: true });
  });

  it('serves a new version to pinned jobs within the poll interval, unpinned ones staying on the default, 0 failed', async () => {
    const load = new ContinuousLoad(system, green, () => ({}));
    // Version 2 scores rust and scab in each other's place: it disagrees on rust leaves only.
    const copied = Date.now();
    installVersion(repository, '2', { swapLabels: ['rust', 'scab'] });
    await waitLive(system, '2', true, 10_000);
    const noticedMs = Date.now() - copied;
    console.log(`version 2 copied -> served by the worker in ${noticedMs} ms (poll ${POLL_SECONDS} s)`);
    const pinned = await Promise.all(
      Array.from({ length: 10 }, async () => waitDone(system, await submit(system, rust, { version: '2' }))),
    );
    const jobs = await load.stop();
    expect(failures([...jobs, ...pinned])).toEqual([]);
    expect(new Set(pinned.map((job) => job.model_version))).toEqual(new Set(['2']));
    expect(pinned[0]?.result?.predictions[0]?.label).toBe('scab');
    expect(new Set(jobs.map((job) => job.model_version))).toEqual(new Set(['1']));
    console.log(`hot load under load: ${jobs.length + pinned.length} jobs, 0 failed`);
  });

  it('never loads a half-copied version, and reports a broken one without serving it', async () => {
    const three = path.join(repository, 'plant-pathology', '3');
    mkdirSync(three);
    const onnx = readFileSync(path.join(repository, 'plant-pathology', '1', 'model.onnx'));
    // A copy still under way: part of model.onnx, no READY marker.
    writeFileSync(path.join(three, 'model.onnx'), onnx.subarray(0, Math.floor(onnx.length / 2)));
    await requestReload(system);
    await new Promise((resolve) => setTimeout(resolve, 3 * POLL_SECONDS * 1000));
    let view = await modelView(system);
    expect(view.live_versions).not.toContain('3');
    expect(view.loading_versions).not.toContain('3');
    expect(view.failed_versions).toEqual({});
    expect(system.workers[0]?.logs).not.toContain('"version":"3"');

    // Marked complete while still truncated: loaded, fails its load checks, reported, never served.
    writeFileSync(path.join(three, 'READY'), '');
    await eventually(async () => '3' in (await modelView(system)).failed_versions, 'version 3 reported as failed');
    view = await modelView(system);
    expect(view.live_versions).not.toContain('3');
    // A job naming it is refused: by the API (400) or, accepted before, failed by the worker; never answered.
    const response = await submitImage(system.apiUrl, green, { version: '3' });
    const refusal =
      response.status === 202
        ? (await waitDone(system, ((await response.json()) as { id: string }).id)).error?.code
        : ((await response.json()) as { error: { code: string } }).error.code;
    expect(refusal).toBe('unknown_model');
    rmSync(three, { recursive: true, force: true });
    await eventually(async () => !('3' in (await modelView(system)).failed_versions), 'version 3 forgotten');
  });

  it('shadows jobs on the candidate and reports the share of images it disagrees on', async () => {
    await putRouting(system, { default_version: '1', shadow: { version: '2', percent: 100 } });
    // 30 green leaves (both versions: healthy) and 10 rust leaves (version 2: scab): 75 % agreement.
    const images = [...Array.from({ length: 30 }, () => green), ...Array.from({ length: 10 }, () => rust)];
    const jobs = await Promise.all(images.map(async (image) => waitDone(system, await submit(system, image))));
    expect(failures(jobs)).toEqual([]);
    // Clients saw the primary's answer only.
    expect(new Set(jobs.map((job) => job.model_version))).toEqual(new Set(['1']));
    await eventually(async () => ((await getRouting(system)).shadow_stats[0]?.compared ?? 0) >= 40, '40 comparisons');
    const routing = await getRouting(system);
    const stats = routing.shadow_stats[0];
    console.log(`shadow v2 against v1: ${JSON.stringify(stats)}`);
    expect(stats).toMatchObject({ candidate: '2', compared: 40, dropped: 0, errors: { primary: 0, candidate: 0 } });
    expect(stats?.top1_agreement).toBe(0.75);
    expect(stats?.mean_abs_score_diff).toBeGreaterThan(0);
    expect(stats?.latency_ms.candidate.p50).not.toBeNull();
    const metrics = await (await fetch(`${system.apiUrl}/metrics`)).text();
    expect(metrics).toContain('inference_shadow_top1_agreement{model="plant-pathology",candidate="2"} 0.75');
    await putRouting(system, { default_version: '1' });
  });

  it('promotes and rolls back with one PUT each under load, 0 failed jobs', async () => {
    const load = new ContinuousLoad(system, green, () => ({}), 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await putRouting(system, { default_version: '2' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await putRouting(system, { default_version: '1' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const jobs = await load.stop();
    expect(failures(jobs)).toEqual([]);
    const served = jobs.map((job) => job.model_version);
    expect(served).toContain('2');
    expect(served.at(-1)).toBe('1');
    console.log(
      `promote + roll back under load: ${jobs.length} jobs, 0 failed, ${served.filter((v) => v === '2').length} answered by v2`,
    );
  });

  it('removes a version while jobs pinned to it run: every job submitted before finishes on it, later ones are refused', async () => {
    const ids = await Promise.all(Array.from({ length: 60 }, () => submit(system, green, { version: '2' })));
    rmSync(path.join(repository, 'plant-pathology', '2'), { recursive: true, force: true });
    await requestReload(system);
    // The API's catalog follows at once: a job naming the removed version is refused up front.
    const later = await submitImage(system.apiUrl, green, { version: '2' });
    expect(later.status).toBe(400);
    const jobs = await Promise.all(ids.map((id) => waitDone(system, id)));
    await waitLive(system, '2', false);
    console.log(
      `removal with 60 pinned jobs queued or running: ${jobs.filter((job) => job.status === 'succeeded').length} finished on v2`,
    );
    expect(failures(jobs)).toEqual([]);
    expect(new Set(jobs.map((job) => job.model_version))).toEqual(new Set(['2']));
    await eventually(() => system.workers[0]?.logs.includes('version unloaded') ?? false, 'version 2 unloaded');
  });
});
