import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, solidImage } from '../support/images.ts';
import { expectedScores } from '../support/reference-model.ts';
import { TestSystem } from '../support/system.ts';
import { generateModel, tempRepository } from './fixtures/fixture-models.ts';
import {
  type ProbedWorker,
  sample,
  startProbedWorker,
  submit,
  waitDone,
  waitingCount,
} from './support/worker-harness.ts';

/**
 * A model repository with several models and versions, served by real worker
 * processes: version selection, a second model with another layout and colour
 * order, and WORKER_MODELS deciding which queues a worker consumes.
 */
describe('worker: model repository (real processes)', () => {
  let repository: string;
  let system: TestSystem;
  let all: ProbedWorker;

  beforeAll(async () => {
    repository = tempRepository({ withReference: true });
    // plant-pathology v2: the same contract, labels scored in reverse order.
    const reference = path.join(repository, 'plant-pathology');
    const config = readFileSync(path.join(reference, 'model.json'));
    // A third model (a copy of v1) only a dedicated worker serves.
    cpSync(reference, path.join(repository, 'leaf-extra'), { recursive: true });
    const extra = JSON.parse(config.toString());
    writeFileSync(path.join(repository, 'leaf-extra', 'model.json'), JSON.stringify({ ...extra, name: 'leaf-extra' }));
    generateModel(repository, { kind: 'reference', name: 'plant-pathology', version: '2', reverseLabels: true });
    writeFileSync(path.join(reference, 'model.json'), config);
    // A second model fed NHWC and BGR, with a graph batch dimension fixed at 1.
    generateModel(repository, {
      kind: 'reference',
      name: 'leaf-nhwc',
      layout: 'NHWC',
      colorOrder: 'BGR',
      staticBatch: 1,
    });

    system = await TestSystem.start({ workers: 0, env: { MODEL_REPOSITORY: repository } });
    all = await startProbedWorker(system, { WORKER_MODELS: 'plant-pathology,leaf-nhwc', BATCH_WINDOW_MS: '50' });
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(repository, { recursive: true, force: true });
  });

  it('serves the newest version by default and the one a job names', async () => {
    const green = await solidImage(COLOURS.green);
    const [newest, v1, v2] = await Promise.all(
      ([{}, { version: '1' }, { version: '2' }] as Record<string, string>[]).map(async (fields) =>
        waitDone(system, await submit(system, green, fields)),
      ),
    );
    expect(newest?.model_version).toBe('2');
    expect(v1).toMatchObject({ status: 'succeeded', model_version: '1' });
    expect(v2?.model_version).toBe('2');
    expect(v1?.result?.predictions[0]?.label).toBe('healthy');
    // v2 gives "scab" the score v1 gives "healthy": a different answer from the same image.
    expect(v2?.result?.predictions[0]?.label).toBe('scab');
    expect(v2?.result?.predictions[0]?.score).toBeCloseTo(expectedScores(COLOURS.green).healthy as number, 3);
    expect(newest?.result).toEqual(v2?.result);
  });

  it('serves a second model with NHWC layout and BGR order alongside, answering like the reference', async () => {
    const ids = await Promise.all(
      [COLOURS.green, COLOURS.orangeBrown, COLOURS.darkOlive, COLOURS.yellow].map(async (rgb) =>
        submit(system, await solidImage(rgb), { model: 'leaf-nhwc' }),
      ),
    );
    const jobs = await Promise.all(ids.map((id) => waitDone(system, id)));
    for (const [i, rgb] of [COLOURS.green, COLOURS.orangeBrown, COLOURS.darkOlive, COLOURS.yellow].entries()) {
      const job = jobs[i];
      expect(job?.status, system.logs()).toBe('succeeded');
      expect(job?.model).toBe('leaf-nhwc');
      const expected = expectedScores(rgb);
      for (const p of job?.result?.predictions ?? []) expect(p.score).toBeCloseTo(expected[p.label] as number, 3);
      // Its graph takes one image at a time: never batched, however many arrive together.
      expect(job?.timings?.batch_size).toBe(1);
    }
    expect(all.process.logs).toMatch(/leaf-nhwc@1: the graph's batch dimension is fixed at 1/);
  });

  it('consumes only the queues of WORKER_MODELS', async () => {
    const id = await submit(system, await solidImage(COLOURS.yellow), { model: 'leaf-extra' });
    // The API knows the model (same repository) but no running worker serves it: it waits in its queue.
    expect(await waitingCount(system, 'leaf-extra')).toBe(1);
    expect(queuesOf(all)).toEqual(['{inference.plant-pathology}', '{inference.leaf-nhwc}']);

    const dedicated = await startProbedWorker(system, { WORKER_MODELS: 'leaf-extra' });
    const job = await waitDone(system, id);
    expect(job).toMatchObject({ status: 'succeeded', model: 'leaf-extra', model_version: '1' });
    expect(job.result?.predictions[0]?.label).toBe('multiple_diseases');
    expect(queuesOf(dedicated)).toEqual(['{inference.leaf-extra}']);
    expect(dedicated.process.logs).toContain(id);
    expect(all.process.logs).not.toContain(id);
    const text = await (await fetch(`${dedicated.url}/metrics`)).text();
    expect(sample(text, 'worker_jobs_total', { model: 'leaf-extra', outcome: 'succeeded' })).toBe(1);
    expect(sample(text, 'worker_jobs_total', { model: 'plant-pathology', outcome: 'succeeded' })).toBeUndefined();
  });

  it('refuses to start when model.json disagrees with the graph, naming both', async () => {
    const broken = tempRepository({ withReference: true });
    try {
      const file = path.join(broken, 'plant-pathology', 'model.json');
      const config = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...config, input: { ...config.input, height: 300 } }));
      const worker = await system.startWorker({ MODEL_REPOSITORY: broken }).catch((error: Error) => error);
      expect(worker).toBeInstanceOf(Error);
      expect(String(worker)).toMatch(
        /model.onnx: input .+ has dims \[batch, 3, 224, 224\] but model.json describes \[batch, 3, 300, 224\]/,
      );
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

/** The queues a worker logged it consumes. */
function queuesOf(worker: ProbedWorker): string[] {
  const line = worker.process.logs.split('\n').find((l) => l.includes('"msg":"worker ready"'));
  return line ? (JSON.parse(line) as { queues: string[] }).queues : [];
}
