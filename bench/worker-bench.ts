/**
 * `pnpm bench:worker`: throughput of a real worker process (Redis, BullMQ,
 * sharp, micro-batcher, inference thread) with batching off and on, against raw
 * onnxruntime session.run() on the same batch sizes in-process. Writes
 * .bench/worker.md and .bench/worker.json.
 *
 * Models: the reference model, and torchvision MobileNetV3-Small and
 * EfficientNet-B3 exported at 300x300 with random weights by
 * tools/export-onnx (cached in .bench/models; needs Debian's python3-torch).
 * BENCH_MODELS=reference,mobilenet_v3_small limits the set; BENCH_SCALE=0.5 halves image counts.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { JobAccepted, JobView, ModelConfig } from '@infer/contracts';
import { weighExternalMemoryWithHeap } from '@infer/runtime';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { freePort } from '../dev-support/free-port.ts';
import { redisFromEnvOrLocal } from '../dev-support/local-redis.ts';
import { pollUntilDone, submitImage } from '../test/support/jobs-client.ts';
import { ROOT, ServiceProcess } from '../test/support/processes.ts';

// The raw pipeline runs in this process: with the services' GC settings, as they run it.
weighExternalMemoryWithHeap();

const BENCH_DIR = path.join(ROOT, '.bench');
const MODELS_DIR = path.join(BENCH_DIR, 'models');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);

interface BenchModel {
  key: string;
  name: string;
  /** Images per configuration (bounded so the whole bench stays at a few minutes on 2 cores). */
  images: number;
  batchSizes: number[];
  prepare: () => void;
}

const exportArch = (arch: string, name: string) => () => {
  if (existsSync(path.join(MODELS_DIR, name, '1', 'model.onnx'))) return;
  console.log(`exporting ${arch} (random weights, 300x300) with tools/export-onnx ...`);
  execFileSync(
    '/usr/bin/python3',
    [
      path.join(ROOT, 'tools/export-onnx/export_onnx.py'),
      ...['--name', name, '--version', '1', '--arch', arch, '--random-weights'],
      ...['--labels', 'a,b,c,d', '--input-size', '300', '--max-batch-size', '16', '--out', MODELS_DIR, '--force'],
    ],
    { stdio: 'inherit' },
  );
};

const MODELS: BenchModel[] = [
  {
    key: 'reference',
    name: 'plant-pathology',
    images: 400,
    batchSizes: [1, 16],
    prepare: () =>
      cpSync(path.join(ROOT, 'models/plant-pathology'), path.join(MODELS_DIR, 'plant-pathology'), { recursive: true }),
  },
  {
    key: 'mobilenet_v3_small',
    name: 'mobilenet-v3-small',
    images: 160,
    batchSizes: [1, 8],
    prepare: exportArch('mobilenet_v3_small', 'mobilenet-v3-small'),
  },
  {
    key: 'efficientnet_b3',
    name: 'efficientnet-b3',
    images: 48,
    batchSizes: [1, 8],
    prepare: exportArch('efficientnet_b3', 'efficientnet-b3'),
  },
];

interface Row {
  model: string;
  batch: number;
  images: number;
  systemImagesPerSecond: number;
  meanBatch: number;
  rawImagesPerSecond: number;
  ratio: number;
  p50PreprocessMs: number;
}

async function main(): Promise<void> {
  const only = process.env.BENCH_MODELS?.split(',').map((s) => s.trim());
  const models = MODELS.filter((m) => !only || only.includes(m.key));
  mkdirSync(MODELS_DIR, { recursive: true });
  for (const model of models) model.prepare();

  const redis = await redisFromEnvOrLocal({ dir: path.join(BENCH_DIR, 'redis'), appendOnly: false });
  const port = await freePort();
  const env = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `bench-${process.pid}`,
    MODEL_REPOSITORY: MODELS_DIR,
    LOG_LEVEL: 'warn',
    MAX_UPLOAD_BYTES: String(20 * 1024 * 1024),
  };
  const api = new ServiceProcess('api', 'apps/api/src/main.ts', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const apiUrl = `http://127.0.0.1:${port}`;
  const rows: Row[] = [];
  try {
    await api.waitForHttp(`${apiUrl}/healthz`);
    const photos = await samplePhotos(24);
    for (const model of models) {
      const config = JSON.parse(readFileSync(path.join(MODELS_DIR, model.name, 'model.json'), 'utf8')) as ModelConfig;
      const images = Math.max(16, Math.round(model.images * SCALE));
      for (const batch of model.batchSizes) {
        const system = await runWorker(apiUrl, env, model.name, batch, images, photos);
        const raw = await rawThroughput(path.join(MODELS_DIR, model.name, '1', 'model.onnx'), config, batch);
        const row: Row = {
          model: model.key,
          batch,
          images,
          ...system,
          rawImagesPerSecond: raw,
          ratio: system.systemImagesPerSecond / raw,
        };
        rows.push(row);
        console.log(
          `${model.key.padEnd(20)} MAX_BATCH_SIZE=${String(batch).padEnd(3)} system ${row.systemImagesPerSecond.toFixed(1)} img/s (mean batch ${row.meanBatch.toFixed(1)})  raw ${raw.toFixed(1)} img/s  system/raw ${row.ratio.toFixed(2)}`,
        );
      }
    }
  } finally {
    await api.stop('SIGTERM').catch(() => undefined);
    await redis.stop();
  }
  writeReport(rows);
}

/** Photo-like JPEGs of 640x480 (decode and resize cost like real uploads). */
async function samplePhotos(count: number): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sharp({
        create: {
          width: 640,
          height: 480,
          channels: 3,
          background: { r: (i * 37) % 256, g: 120, b: (i * 91) % 256 },
          noise: { type: 'gaussian', mean: 100, sigma: 40 },
        },
      })
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
}

/**
 * Queue `count` jobs with no worker running, then start one worker and time it
 * from its first job start to its last completion (the worker alone, not the uploads).
 */
async function runWorker(
  apiUrl: string,
  env: Record<string, string>,
  model: string,
  batch: number,
  count: number,
  photos: Buffer[],
) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await submitImage(apiUrl, photos[i % photos.length] as Buffer, { model }, 'photo.jpg');
    if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as JobAccepted).id);
  }
  const workerPort = await freePort();
  const worker = new ServiceProcess(`worker-${model}-${batch}`, 'apps/worker/src/main.ts', {
    ...env,
    WORKER_PORT: String(workerPort),
    WORKER_MODELS: model,
    MAX_BATCH_SIZE: String(batch),
    BATCH_WINDOW_MS: '5',
    WORKER_CONCURRENCY: String(Math.max(16, batch * 3)),
    PREPROCESS_CONCURRENCY: String(availableParallelism()),
  });
  try {
    await worker.waitForHttp(`http://127.0.0.1:${workerPort}/readyz`, 300_000);
    const jobs: JobView[] = [];
    for (const id of ids) jobs.push(await pollUntilDone(apiUrl, id, 600_000));
    const failed = jobs.filter((job) => job.status !== 'succeeded');
    if (failed.length > 0) throw new Error(`${failed.length} jobs did not succeed: ${JSON.stringify(failed[0])}`);
    const first = Math.min(...jobs.map((job) => Date.parse(job.started_at ?? '')));
    const last = Math.max(...jobs.map((job) => Date.parse(job.completed_at ?? '')));
    const preprocess = jobs.map((job) => job.timings?.preprocess_ms ?? 0).sort((a, b) => a - b);
    return {
      systemImagesPerSecond: (jobs.length * 1000) / (last - first),
      meanBatch: jobs.reduce((sum, job) => sum + (job.timings?.batch_size ?? 0), 0) / jobs.length,
      p50PreprocessMs: preprocess[Math.floor(preprocess.length / 2)] as number,
    };
  } finally {
    await worker.stop('SIGTERM');
  }
}

/** session.run() in-process on ready tensors of `batch` images: the ceiling the worker is measured against. */
async function rawThroughput(file: string, config: ModelConfig, batch: number): Promise<number> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' });
  try {
    const { input } = config;
    const dims =
      input.layout === 'NCHW' ? [batch, 3, input.height, input.width] : [batch, input.height, input.width, 3];
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5);
    const feeds = { [input.name]: new ort.Tensor('float32', data, dims) };
    await session.run(feeds); // warm-up
    let images = 0;
    const started = performance.now();
    // At least 3 runs and ~3 s, whichever is more.
    while (images < batch * 3 || performance.now() - started < 3000) {
      await session.run(feeds);
      images += batch;
    }
    return (images * 1000) / (performance.now() - started);
  } finally {
    await session.release();
  }
}

function writeReport(rows: Row[]): void {
  const lines = [
    '# Worker benchmark',
    '',
    `${new Date().toISOString()} · ${availableParallelism()} cores · CPU provider · one worker process · photo-like 640x480 JPEGs`,
    '',
    'System: images/s of one worker from its first job start to its last completion (Redis, BullMQ, sharp decode +',
    'resize, micro-batcher, inference thread, result write). Raw: onnxruntime session.run() in-process on ready',
    'tensors of the same batch size. Ratio = system / raw.',
    '',
    '| Model | MAX_BATCH_SIZE | Images | System img/s | Mean batch | Preprocess p50 ms | Raw img/s | System/raw |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.batch} | ${r.images} | ${r.systemImagesPerSecond.toFixed(1)} | ${r.meanBatch.toFixed(1)} | ${r.p50PreprocessMs.toFixed(1)} | ${r.rawImagesPerSecond.toFixed(1)} | ${r.ratio.toFixed(2)} |`,
    ),
    '',
    '| Model | Batching speed-up (system, largest batch vs 1) | Raw speed-up |',
    '| --- | ---: | ---: |',
    ...[...new Set(rows.map((r) => r.model))].map((model) => {
      const mine = rows.filter((r) => r.model === model);
      const one = mine.find((r) => r.batch === 1);
      const big = mine[mine.length - 1];
      if (!one || !big || big === one) return `| ${model} | - | - |`;
      return `| ${model} | ${(big.systemImagesPerSecond / one.systemImagesPerSecond).toFixed(2)}x | ${(big.rawImagesPerSecond / one.rawImagesPerSecond).toFixed(2)}x |`;
    }),
    '',
  ];
  mkdirSync(BENCH_DIR, { recursive: true });
  writeFileSync(path.join(BENCH_DIR, 'worker.md'), lines.join('\n'));
  writeFileSync(
    path.join(BENCH_DIR, 'worker.json'),
    `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
  );
  console.log(`\n${lines.join('\n')}\nwrote .bench/worker.md and .bench/worker.json`);
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
