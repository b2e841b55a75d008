import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadModelRepository } from '@infer/model-repository';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS } from '../../../test/support/images.ts';
import { expectedScores } from '../../../test/support/reference-model.ts';
import { generateModel, tempRepository } from '../../../test/worker/fixtures/fixture-models.ts';
import type { SessionSettings } from './inference-protocol.ts';
import { type InferenceOutcome, ModelServer } from './model-server.ts';
import { decodeImage, preprocessImage, tensorLength } from './preprocess.ts';

const REPOSITORY = path.resolve(import.meta.dirname, '../../../models');
const cpu: SessionSettings = {
  providers: ['cpu'],
  intraOpNumThreads: 1,
  cudaDeviceId: 0,
  graphOptimizationLevel: 'all',
  enableCpuMemArena: true,
  intraOpSpinning: false,
};

async function tensorOf(r: number, g: number, b: number, server: ModelServer): Promise<Float32Array> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
  const { input } = server.resolve('plant-pathology').entry.config;
  return (await preprocessImage(png, input, { maxInputPixels: 1e7 })).data;
}

/** `count` copies of a tensor at once, each announced before and released after its infer(), as the worker does. */
function inferTogether(server: ModelServer, tensor: Float32Array, count: number): Promise<InferenceOutcome[]> {
  const arrivals = Array.from({ length: count }, () => server.expect('plant-pathology', '1'));
  return Promise.all(
    arrivals.map((arrived) => {
      const pending = server.infer('plant-pathology', '1', new Float32Array(tensor));
      arrived();
      return pending;
    }),
  );
}

describe('ModelServer with the reference model', () => {
  let server: ModelServer;
  const batches: number[] = [];

  beforeAll(async () => {
    server = await ModelServer.start(loadModelRepository(REPOSITORY), cpu, {
      windowMs: 20,
      maxBatchSize: 8,
      onBatch: (_key, size) => batches.push(size),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the newest version on the CPU provider', () => {
    expect(server.provider).toBe('cpu');
    expect(server.resolve('plant-pathology').version).toBe('1');
    expect(server.catalog().map((m) => m.name)).toContain('plant-pathology');
  });

  it('classifies a green leaf healthy and an orange-brown one rust', async () => {
    const green = await server.infer('plant-pathology', undefined, await tensorOf(40, 160, 40, server));
    const rust = await server.infer('plant-pathology', undefined, await tensorOf(200, 100, 30, server));
    expect(green.predictions[0]?.label).toBe('healthy');
    expect(rust.predictions[0]?.label).toBe('rust');
    expect(green.predictions.reduce((sum, p) => sum + p.score, 0)).toBeCloseTo(1, 5);
  });

  it('answers the same for decoded pixels, written into the batch tensor, as for a prebuilt tensor', async () => {
    const { input } = server.resolve('plant-pathology').entry.config;
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 100, b: 30 } } })
      .png()
      .toBuffer();
    const { pixels } = await decodeImage(png, input, { maxInputPixels: 1e7 });
    const { data } = await preprocessImage(png, input, { maxInputPixels: 1e7 });
    const [fromPixels, fromTensor] = await Promise.all([
      server.infer('plant-pathology', undefined, pixels),
      server.infer('plant-pathology', undefined, data),
    ]);
    expect(fromPixels.predictions[0]?.label).toBe('rust');
    for (const [i, p] of fromPixels.predictions.entries())
      expect(p.score).toBeCloseTo(fromTensor.predictions[i]?.score ?? -1, 6);
    await expect(server.infer('plant-pathology', undefined, pixels.subarray(3))).rejects.toThrow(/values per image/);
  });

  it('batches concurrent requests announced with expect() and gives each its own answer', async () => {
    batches.length = 0;
    const green = await tensorOf(40, 160, 40, server);
    const rust = await tensorOf(200, 100, 30, server);
    // As the worker does: announce each image before its preprocessing, release once submitted.
    const arrivals = Array.from({ length: 8 }, () => server.expect('plant-pathology', '1'));
    const outcomes = await Promise.all(
      arrivals.map((arrived, i) => {
        const pending = server.infer('plant-pathology', '1', new Float32Array(i % 2 ? rust : green));
        arrived();
        return pending;
      }),
    );
    expect(outcomes.map((o) => o.predictions[0]?.label)).toEqual(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? 'rust' : 'healthy')),
    );
    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(outcomes[0]?.batchSize).toBeGreaterThan(1);
  });

  it('refuses unknown models and versions as permanent failures', () => {
    expect(() => server.resolve('nope')).toThrow(expect.objectContaining({ code: 'unknown_model', permanent: true }));
    expect(() => server.resolve('plant-pathology', '9')).toThrow(expect.objectContaining({ code: 'unknown_model' }));
  });
});

describe('ModelServer choosing its batch cap (reference model, real onnxruntime)', () => {
  it('calibrates at warm-up, reports the choice, holds batches to the cap and keeps measuring', async () => {
    const choices: { key: string; limit: number; sizes: string[] }[] = [];
    const batches: number[] = [];
    const server = await ModelServer.start(loadModelRepository(REPOSITORY), cpu, {
      windowMs: 50,
      maxBatchSize: 8,
      tuning: { latencyBudgetMs: 1000, retuneEvery: 5 },
      onBatch: (_key, size) => batches.push(size),
      // Called at calibration (with the measurements) and whenever the cap changes later.
      onBatchLimit: (key, limit, choice) =>
        choices.push({ key, limit, sizes: Object.keys(choice?.imagesPerSecond ?? {}) }),
    });
    try {
      expect(choices[0]).toMatchObject({ key: 'plant-pathology@1', sizes: ['1', '2', '4', '8'] });
      const limit = server.batchLimit('plant-pathology');
      expect(limit).toBe(choices[0]?.limit);
      expect([1, 2, 4, 8]).toContain(limit);
      // 3 x the cap images at once: no batch exceeds the cap except one probe step above it.
      const tensor = await tensorOf(40, 160, 40, server);
      const outcomes = await inferTogether(server, tensor, 24);
      expect(outcomes.every((o) => o.predictions[0]?.label === 'healthy')).toBe(true);
      // The cap may change as batches run (every 5 here): no batch exceeds one probe step above the largest cap.
      const largestCap = Math.max(...choices.map((c) => c.limit));
      expect(Math.max(...batches)).toBeLessThanOrEqual(Math.min(8, largestCap * 2));
      expect(server.batchLimit('plant-pathology')).toBeLessThanOrEqual(8);
    } finally {
      await server.close();
    }
  });

  it('with a latency budget below any batch, batches one image at a time', async () => {
    const server = await ModelServer.start(loadModelRepository(REPOSITORY), cpu, {
      windowMs: 50,
      maxBatchSize: 8,
      tuning: { latencyBudgetMs: 0.000_001 },
    });
    try {
      expect(server.batchLimit('plant-pathology')).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('ModelServer with the GPU stand-in (standInBatchMs)', () => {
  it('waits the set time per batch whatever its size, answers uniform scores, and the tuner then batches the most', async () => {
    const server = await ModelServer.start(
      loadModelRepository(REPOSITORY),
      // 150 ms per batch: long enough that a loaded machine's timer delays (tens of ms) cannot make a
      // batch of 8 look slower per image than a batch of 4 at calibration (at 40 ms they did, in CI-like load).
      { ...cpu, standInBatchMs: 150 },
      {
        windowMs: 50,
        maxBatchSize: 8,
        tuning: { latencyBudgetMs: 1000 },
      },
    );
    try {
      // Fixed cost per batch: throughput grows with the batch, so the largest size is chosen.
      expect(server.batchLimit('plant-pathology')).toBe(8);
      const tensor = await tensorOf(200, 100, 30, server);
      const started = performance.now();
      const outcomes = await inferTogether(server, tensor, 8);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(149);
      expect(outcomes[0]?.batchSize).toBe(8);
      for (const prediction of outcomes[0]?.predictions ?? []) expect(prediction.score).toBeCloseTo(0.25, 5);
    } finally {
      await server.close();
    }
  });
});

describe('ModelServer loading', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'infer-models-'));
    cpSync(path.join(REPOSITORY, 'plant-pathology'), path.join(dir, 'plant-pathology'), { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back from CUDA to CPU with a warning on a machine without CUDA', async () => {
    const warnings: string[] = [];
    const server = await ModelServer.start(
      loadModelRepository(dir),
      { ...cpu, providers: ['cuda', 'cpu'] },
      { windowMs: 0, maxBatchSize: 1 },
      { onWarning: (message) => warnings.push(message) },
    );
    try {
      expect(server.provider).toBe('cpu');
      expect(warnings.join('\n')).toMatch(/cuda/i);
    } finally {
      await server.close();
    }
  });

  it('finds input dimensions that disagree with model.json at load time', async () => {
    const file = path.join(dir, 'plant-pathology', 'model.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...config, input: { ...config.input, width: 100 } }));
    await expect(ModelServer.start(loadModelRepository(dir), cpu, { windowMs: 0, maxBatchSize: 1 })).rejects.toThrow(
      /has dims \[batch, 3, 224, 224\] but model.json describes \[batch, 3, 224, 100\]/,
    );
  });

  it('finds a label count that disagrees with the graph output at load time, not at the first job', async () => {
    const file = path.join(dir, 'plant-pathology', 'model.json');
    writeFileSync(file, readFileSync(path.join(REPOSITORY, 'plant-pathology', 'model.json')));
    const config = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...config, labels: [...config.labels, 'extra'] }));
    for (const warmUp of [true, false]) {
      await expect(
        ModelServer.start(loadModelRepository(dir), cpu, { windowMs: 0, maxBatchSize: 1 }, { warmUp }),
      ).rejects.toThrow(/output .+ has dims \[.+\] but model.json lists 5 labels/);
    }
  });
});

describe('ModelServer with generated model variants', () => {
  let dir: string;
  let server: ModelServer;
  const warnings: string[] = [];
  const batches: { key: string; size: number }[] = [];

  beforeAll(async () => {
    dir = tempRepository({ withReference: true });
    // v2 of the reference model scores its labels in reverse order: a different answer, same contract.
    cpSync(path.join(dir, 'plant-pathology', '1'), path.join(dir, 'plant-pathology', '2'), { recursive: true });
    generateModel(dir, { kind: 'reference', name: 'plant-pathology', version: '2', reverseLabels: true });
    writeFileSync(
      path.join(dir, 'plant-pathology', 'model.json'),
      readFileSync(path.join(REPOSITORY, 'plant-pathology', 'model.json')),
    );
    generateModel(dir, { kind: 'reference', name: 'leaf-nhwc-bgr', layout: 'NHWC', colorOrder: 'BGR' });
    generateModel(dir, { kind: 'reference', name: 'leaf-batch1', staticBatch: 1 });
    generateModel(dir, { kind: 'reference', name: 'leaf-batch4', staticBatch: 4, maxBatchSize: 4 });
    server = await ModelServer.start(
      loadModelRepository(dir),
      cpu,
      { windowMs: 30, maxBatchSize: 8, onBatch: (key, size) => batches.push({ key, size }) },
      { onWarning: (message) => warnings.push(message) },
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // As the worker does: announced before preprocessing, released once queued, so concurrent calls batch.
  const classify = async (model: string, version: string | undefined, rgb: [number, number, number]) => {
    const arrived = server.expect(model, version);
    let pending: Promise<InferenceOutcome>;
    try {
      const png = await sharp({
        create: { width: 64, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
      })
        .png()
        .toBuffer();
      const { input } = server.resolve(model, version).entry.config;
      const { data } = await preprocessImage(png, input, { maxInputPixels: 1e7 });
      pending = server.infer(model, version, data);
    } finally {
      arrived();
    }
    return pending;
  };

  it('serves the newest version by default and an older one on request, with different answers', async () => {
    const newest = await classify('plant-pathology', undefined, COLOURS.green);
    const v1 = await classify('plant-pathology', '1', COLOURS.green);
    expect(newest.modelVersion).toBe('2');
    expect(v1.modelVersion).toBe('1');
    expect(v1.predictions[0]?.label).toBe('healthy');
    // v2's logits are v1's in reverse label order: the score v1 gives "healthy", v2 gives "scab".
    expect(newest.predictions.find((p) => p.label === 'scab')?.score).toBeCloseTo(
      v1.predictions.find((p) => p.label === 'healthy')?.score as number,
      5,
    );
  });

  it('feeds an NHWC, BGR model so that it answers like the reference model', async () => {
    for (const rgb of [COLOURS.green, COLOURS.orangeBrown, COLOURS.darkOlive, COLOURS.yellow]) {
      const outcome = await classify('leaf-nhwc-bgr', undefined, rgb);
      const expected = expectedScores(rgb);
      for (const p of outcome.predictions) expect(p.score).toBeCloseTo(expected[p.label] as number, 3);
    }
  });

  it('caps batches at 1 for a graph whose batch dimension is fixed at 1, with a warning', async () => {
    expect(server.resolve('leaf-batch1').maxBatchSize).toBe(1);
    expect(warnings.join('\n')).toMatch(/leaf-batch1@1: the graph's batch dimension is fixed at 1/);
    batches.length = 0;
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => classify('leaf-batch1', undefined, COLOURS.yellow)));
    expect(outcomes.every((o) => o.predictions[0]?.label === 'multiple_diseases' && o.batchSize === 1)).toBe(true);
    expect(batches.filter((b) => b.key === 'leaf-batch1@1').map((b) => b.size)).toEqual([1, 1, 1, 1]);
  });

  it('pads a partial batch for a graph whose batch dimension is fixed at 4', async () => {
    const outcomes = await Promise.all(
      [COLOURS.green, COLOURS.orangeBrown].map((rgb) => classify('leaf-batch4', undefined, rgb)),
    );
    expect(outcomes.map((o) => o.predictions[0]?.label)).toEqual(['healthy', 'rust']);
  });
});

describe('ModelServer with a slow model', () => {
  let dir: string;
  let server: ModelServer;

  beforeAll(async () => {
    dir = tempRepository();
    generateModel(dir, { kind: 'slow', name: 'slow', layers: 12 });
    server = await ModelServer.start(
      loadModelRepository(dir),
      cpu,
      { windowMs: 0, maxBatchSize: 4 },
      { warmUp: false },
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes images on the main thread and libuv pool while a batch runs in the inference thread', async () => {
    const { input } = server.resolve('slow').entry.config;
    const events: string[] = [];
    const inference = server.infer('slow', undefined, new Float32Array(tensorLength(input))).then(() => {
      events.push('inference done');
    });
    const png = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 9, g: 99, b: 199 } } })
      .png()
      .toBuffer();
    for (let i = 0; i < 3; i++) {
      await preprocessImage(png, input, { maxInputPixels: 1e7 });
      events.push(`decoded ${i}`);
    }
    await inference;
    expect(events).toEqual(['decoded 0', 'decoded 1', 'decoded 2', 'inference done']);
  });
});
