import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSettings } from './inference-protocol.ts';
import { loadModelRepository } from './model-repository.ts';
import { ModelServer } from './model-server.ts';
import { preprocessImage } from './preprocess.ts';

const REPOSITORY = path.resolve(import.meta.dirname, '../../../models');
const cpu: SessionSettings = {
  providers: ['cpu'],
  intraOpNumThreads: 1,
  cudaDeviceId: 0,
  graphOptimizationLevel: 'all',
  enableCpuMemArena: true,
};

async function tensorOf(r: number, g: number, b: number, server: ModelServer): Promise<Float32Array> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
  const { input } = server.resolve('plant-pathology').entry.config;
  return (await preprocessImage(png, input, { maxInputPixels: 1e7 })).data;
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

  it('batches concurrent requests and gives each its own answer', async () => {
    batches.length = 0;
    const green = await tensorOf(40, 160, 40, server);
    const rust = await tensorOf(200, 100, 30, server);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server.infer('plant-pathology', '1', new Float32Array(i % 2 ? rust : green))),
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
});
