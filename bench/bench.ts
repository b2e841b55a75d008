/**
 * `pnpm bench` (quick, a few minutes) and `pnpm bench --full`: everything side by side in
 * one run on the same images and ONNX files: the raw in-process pipeline, ours (API + Redis
 * + worker) and the seed-style FastAPI + PyTorch peer, at several client counts, for the
 * reference model, MobileNetV3-Small at 224 and EfficientNet-B3 at 300 (random weights,
 * exported by tools/export-onnx into .bench/models the first time); then ours with the tuned
 * batch cap against batching off and a fixed cap, submissions/s with no worker (autocannon)
 * with Redis memory per queued job, tiny jobs end to end with CPU-ms per job of each process,
 * scale-out with a GPU stand-in, the result cache, the `infer` CLI against the load generator,
 * submissions through Sentinel, and jobs on one Redis against a three-primary Redis Cluster.
 * Writes docs/benchmarks.md, docs/benchmarks.json and docs/images/bench-*.svg. Figures only:
 * nothing here asserts a speed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import path from 'node:path';
import { weighExternalMemoryWithHeap } from '@infer/runtime';
import sharp from 'sharp';
import { ROOT } from '../test/support/processes.ts';
import { measureWakeCost } from './lib/wake.ts';
import { FULL, IMAGES, MODELS, ONLY, runs } from './options.ts';
import { type BenchImage, photo } from './photos.ts';
import type { BenchReport, ModelResult } from './report/results.ts';
import { writeReport } from './report/write.ts';
import { batching } from './sections/batching.ts';
import { cliThroughput } from './sections/cli.ts';
import { clusterSection } from './sections/cluster.ts';
import { enqueueOnly } from './sections/enqueue.ts';
import { benchModel } from './sections/models.ts';
import { cacheHits } from './sections/result-cache.ts';
import { scaleOut } from './sections/scale-out.ts';
import { sentinelSection } from './sections/sentinel.ts';
import { tinyJobs } from './sections/tiny-jobs.ts';
import { tracingCost } from './sections/tracing.ts';
import { checkPeerDependencies, prepareModels } from './setup.ts';

// The raw pipeline runs in this process: with the services' GC settings, as they run it.
weighExternalMemoryWithHeap();

/** Measure everything, or (--report-only) rewrite the report and charts from docs/benchmarks.json. */
async function run(): Promise<BenchReport> {
  if (process.argv.includes('--report-only')) {
    return JSON.parse(readFileSync(path.join(ROOT, 'docs/benchmarks.json'), 'utf8')) as BenchReport;
  }
  const startedAt = new Date().toISOString();
  if (runs('models')) checkPeerDependencies();
  // The tracing, CLI, Sentinel and Cluster sections need the reference model alone: no torchvision export.
  prepareModels({
    referenceOnly: ONLY?.every((section) => ['tracing', 'cli', 'sentinel', 'cluster'].includes(section)) ?? false,
  });
  const models: ModelResult[] = [];
  const images = await Promise.all(
    IMAGES.map(async (size, i): Promise<BenchImage> => {
      const bytes = await photo(size.width, size.height, 7 + i);
      const dimensions = `${size.width}x${size.height}`;
      const name = `${dimensions} JPEG (${(bytes.length / 1024).toFixed(0)} KiB)`;
      return { bytes, name, variant: IMAGES.length > 1 ? dimensions : undefined };
    }),
  );
  for (const image of images) {
    if (!runs('models')) break;
    for (const model of MODELS) models.push(await benchModel(model, image));
  }
  const [first] = images as [BenchImage];
  const tiny = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40, g: 160, b: 40 } } })
    .png()
    .toBuffer();
  return {
    mode: FULL ? 'full' : 'quick',
    startedAt,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      kernel: release(),
      onnxruntime: JSON.parse(readFileSync(path.join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8'))
        .version,
      sharp: sharp.versions.sharp ?? '',
      torch: execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], {
        encoding: 'utf8',
      }).trim(),
    },
    models,
    // With the models: it explains their p50 at one client.
    wake: runs('models') ? await measureWakeCost() : undefined,
    batching: runs('batching') ? await batching(first) : undefined,
    enqueue: runs('enqueue') ? await enqueueOnly(tiny) : undefined,
    tiny: runs('tiny') ? await tinyJobs(tiny) : undefined,
    scaleOut: runs('scaleout') ? await scaleOut(tiny) : undefined,
    cache: runs('cache') ? await cacheHits(first) : undefined,
    tracing: runs('tracing') ? await tracingCost(tiny) : undefined,
    cli: runs('cli') ? await cliThroughput() : undefined,
    sentinel: runs('sentinel') ? await sentinelSection(tiny) : undefined,
    cluster: runs('cluster') ? await clusterSection(tiny) : undefined,
  };
}

const report = await run();
if (ONLY) {
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(path.join(ROOT, '.bench/only.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote .bench/only.json (--only=${ONLY.join(',')}); docs/benchmarks.md is left as it was`);
  process.exit(0);
}
const text = writeReport(report);
console.log(`\n${text}\nwrote docs/benchmarks.md, docs/benchmarks.json and docs/images/bench-*.svg`);
