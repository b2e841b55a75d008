/**
 * `pnpm bench` (quick, a few minutes) and `pnpm bench --full`: everything side by side in
 * one run on the same images and ONNX files: the raw in-process pipeline, ours (API + Redis
 * + worker) and the seed-style FastAPI + PyTorch peer, at several client counts, for the
 * reference model, MobileNetV3-Small at 224 and EfficientNet-B3 at 300 (random weights,
 * exported by tools/export-onnx into .bench/models the first time); then ours with the tuned
 * batch cap against batching off and a fixed cap, submissions/s with no worker (autocannon)
 * with Redis memory per queued job, tiny jobs end to end with CPU-ms per job of each process,
 * scale-out with a GPU stand-in and the result cache. Writes docs/benchmarks.md,
 * docs/benchmarks.json and docs/images/bench-*.svg. Figures only: nothing here asserts a speed.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import path from 'node:path';
import { decodeImage, loadModelRepository } from '@infer/inference';
import { weighExternalMemoryWithHeap } from '@infer/runtime';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { ROOT } from '../test/support/processes.ts';
import { type BatchingResult, compareBatching } from './lib/batching.ts';
import { closedLoop, type LoadPoint } from './lib/load.ts';
import { CpuMeter } from './lib/proc.ts';
import { mainThreadProfile, type ProfileSummary, profileClockUs, summarizeProfile } from './lib/profile.ts';
import {
  type BenchReport,
  type CacheResult,
  type EnqueueResult,
  type ModelResult,
  markdown,
  type ScaleOutResult,
  scaleOutSvg,
  type TinyJobsResult,
  throughputSvg,
} from './lib/report.ts';
import { type BenchModel, type System, startOurs, startPeer, startRaw } from './lib/systems.ts';
import { measureWakeCost } from './lib/wake.ts';

// The raw pipeline runs in this process: with the services' GC settings, as they run it.
weighExternalMemoryWithHeap();

const FULL = process.argv.includes('--full');
/** `--only=tiny,scaleout` (sections: models, batching, enqueue, tiny, scaleout, cache): run those sections, print them and write .bench/only.json; the docs stay as they are. */
const ONLY = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const runs = (section: 'models' | 'batching' | 'enqueue' | 'tiny' | 'scaleout' | 'cache') =>
  !ONLY || ONLY.includes(section);
const CLIENTS = FULL ? [1, 4, 16, 64] : [1, 4, 16];
const SECONDS = FULL ? 10 : 4;
const WARMUP = 2;
const MODELS_DIR = path.join(ROOT, '.bench', 'models');

const MODELS: (BenchModel & { size: number })[] = [
  { key: 'reference', name: 'plant-pathology', title: 'Reference model (224)', arch: '', size: 224 },
  {
    key: 'mobilenet_v3_small',
    name: 'mobilenet-v3-small-224',
    title: 'MobileNetV3-Small @224',
    arch: 'mobilenet_v3_small',
    size: 224,
  },
  {
    key: 'efficientnet_b3',
    name: 'efficientnet-b3-300',
    title: 'EfficientNet-B3 @300',
    arch: 'efficientnet_b3',
    size: 300,
  },
];
/** A bench photo; `variant` (its size) names the results when a run has several images. */
interface BenchImage {
  bytes: Buffer;
  name: string;
  variant: string | undefined;
}

const resultKey = (model: BenchModel, image: BenchImage) =>
  image.variant ? `${model.key}-${image.variant}` : model.key;

const IMAGES = FULL
  ? [
      { width: 640, height: 480 },
      { width: 1600, height: 1200 },
    ]
  : [{ width: 1024, height: 768 }];

/** The peer's Python side (Debian packages): say what to install in one line rather than fail mid-run. */
function checkPeerDependencies(): void {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import fastapi, uvicorn, multipart, torch, torchvision'], {
      stdio: 'ignore',
    });
  } catch {
    console.error(
      'pnpm bench needs Debian packages for the peer: sudo apt-get install -y --no-install-recommends python3-fastapi python3-uvicorn python3-multipart python3-torch python3-torchvision',
    );
    process.exit(1);
  }
}

function prepareModels(): void {
  mkdirSync(MODELS_DIR, { recursive: true });
  cpSync(path.join(ROOT, 'models/plant-pathology'), path.join(MODELS_DIR, 'plant-pathology'), { recursive: true });
  for (const model of MODELS) {
    if (!model.arch || existsSync(path.join(MODELS_DIR, model.name, '1', 'model.onnx'))) continue;
    console.log(`exporting ${model.arch} at ${model.size} (random weights) with tools/export-onnx ...`);
    execFileSync(
      '/usr/bin/python3',
      [
        path.join(ROOT, 'tools/export-onnx/export_onnx.py'),
        ...['--name', model.name, '--version', '1', '--arch', model.arch, '--random-weights'],
        ...['--labels', 'a,b,c,d', '--input-size', String(model.size), '--max-batch-size', '16'],
        ...['--out', MODELS_DIR, '--force'],
      ],
      { stdio: 'inherit' },
    );
  }
}

/** A photo-like JPEG: smooth colour fields plus fine noise, so decoding costs what a photo's does. */
async function photo(width: number, height: number, seed: number): Promise<Buffer> {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const coarse = Buffer.from(Array.from({ length: 16 * 12 * 3 }, () => Math.floor(60 + random() * 150)));
  const base = await sharp(coarse, { raw: { width: 16, height: 12, channels: 3 } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (let i = 0; i < base.length; i++)
    base[i] = Math.max(0, Math.min(255, (base[i] as number) + Math.floor((random() - 0.5) * 40)));
  return sharp(base, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function measure(system: System, image: Uint8Array): Promise<{ label: string; points: LoadPoint[] }> {
  const label = await system.send(image);
  const points: LoadPoint[] = [];
  for (const clients of CLIENTS) {
    const point = await closedLoop(() => system.send(image).then(() => undefined), {
      clients,
      seconds: SECONDS,
      warmup: WARMUP,
      pids: system.pids,
    });
    console.log(
      `  ${system.name.padEnd(4)} ${String(clients).padStart(2)} clients: ${point.perSecond.toFixed(1)} img/s, p50 ${point.p50Ms.toFixed(1)} ms, p99 ${point.p99Ms.toFixed(1)} ms, ${point.cpuMsPerRequest.total?.toFixed(1)} CPU-ms/img`,
    );
    points.push(point);
  }
  return { label, points };
}

/** A model measured on one image; with several images (--full) each result is named by its image's size too. */
async function benchModel(model: BenchModel, image: BenchImage): Promise<ModelResult> {
  console.log(`${model.title}, ${image.name}`);
  const result: ModelResult = {
    key: resultKey(model, image),
    title: image.variant ? `${model.title}, ${image.variant}` : model.title,
    image: image.name,
    points: {},
    labels: {},
  };
  for (const start of [startRaw, startOurs, startPeer]) {
    const system = await start(MODELS_DIR, model);
    try {
      const { label, points } = await measure(system, image.bytes);
      result.points[system.name] = points;
      result.labels[system.name] = label;
    } finally {
      await system.close();
    }
  }
  return result;
}

async function enqueueOnly(tiny: Buffer): Promise<EnqueueResult> {
  const seconds = FULL ? 15 : 5;
  const connections = 32;
  const load = {
    method: 'POST' as const,
    headers: { 'content-type': 'image/png' },
    body: tiny,
    connections,
    duration: seconds,
  };
  const ours = await startOurs(MODELS_DIR, MODELS[0] as BenchModel, { workers: 0 });
  const redis = new Redis(ours.redisUrl);
  let measured: Omit<EnqueueResult, 'profiles'>;
  try {
    const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    const before = await memory();
    const meter = new CpuMeter({ api: ours.pids.api as number, redis: ours.pids.redis as number });
    const result = await autocannon({ ...load, url: `${ours.url}/v1/jobs` });
    const cpu = meter.read();
    const accepted = result['2xx'];
    // Every 202 is a queued job: no worker takes any.
    const queued = accepted;
    const bytes = ((await memory()) - before) / Math.max(1, queued);
    console.log(
      `enqueue only: ${(accepted / seconds).toFixed(0)} submissions/s, ${queued} queued, ${(bytes / 1024).toFixed(1)} KiB each`,
    );
    measured = {
      connections,
      seconds,
      submissionsPerSecond: accepted / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
      apiCpuMsPerSubmission: (cpu.api ?? 0) / accepted,
      redisCpuMsPerSubmission: (cpu.redis ?? 0) / accepted,
      redisBytesPerQueuedJob: bytes,
    };
  } finally {
    redis.disconnect();
    await ours.close();
  }
  // Where the API's CPU goes: the same load again under --cpu-prof (profiling slows it).
  const profiles = await profiled({ workers: 0 }, ['api'], async (system) => {
    const fromUs = profileClockUs();
    const profiledRun = await autocannon({ ...load, url: `${system.url}/v1/jobs` });
    return { fromUs, toUs: profileClockUs(), jobs: profiledRun['2xx'] };
  });
  return { ...measured, profiles };
}

/**
 * Where the main threads of `names` (api, worker) spend their busy time under `load`:
 * ours started again under `node --cpu-prof`, the samples of the measured window only
 * (start-up and module loading excluded), per job of that window.
 */
async function profiled(
  options: { workers?: number },
  names: string[],
  load: (system: Awaited<ReturnType<typeof startOurs>>) => Promise<{ fromUs: number; toUs: number; jobs: number }>,
): Promise<Record<string, ProfileSummary>> {
  const profileDir = path.join(ROOT, '.bench', 'profiles');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const system = await startOurs(MODELS_DIR, MODELS[0] as BenchModel, {
    ...options,
    env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` },
  });
  let window: { fromUs: number; toUs: number; jobs: number };
  try {
    window = await load(system);
  } finally {
    await system.close();
  }
  const profiles: Record<string, ProfileSummary> = {};
  for (const name of names) {
    const file = mainThreadProfile(profileDir, system.pids[name] as number);
    if (file) profiles[name] = summarizeProfile(file, window);
  }
  return profiles;
}

/** CPU-ms per call of `fn` in this process, run `times` times one after another (after a warm-up). */
async function cpuMsPerCall(fn: () => Promise<unknown>, times: number): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const before = process.cpuUsage();
  for (let i = 0; i < times; i++) await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / times;
}

/** Where the raw pipeline's CPU goes for one image: decoding alone, then decoding and resizing to the model's input. */
async function preprocessBreakdown(image: Buffer, model: BenchModel): Promise<TinyJobsResult['rawPreprocess']> {
  const input = loadModelRepository(MODELS_DIR, [model.name]).get(model.name)?.config.input;
  if (!input) throw new Error(`no model ${model.name}`);
  return {
    decodeCpuMs: await cpuMsPerCall(() => sharp(image).raw().toBuffer(), 300),
    decodeAndResizeCpuMs: await cpuMsPerCall(() => decodeImage(image, input, { maxInputPixels: 100_000_000 }), 300),
    width: input.width,
    height: input.height,
  };
}

async function tinyJobs(tiny: Buffer): Promise<TinyJobsResult> {
  const clients = 32;
  const rawPreprocess = await preprocessBreakdown(tiny, MODELS[0] as BenchModel);
  const raw = await startRaw(MODELS_DIR, MODELS[0] as BenchModel);
  const rawPoint = await closedLoop(() => raw.send(tiny).then(() => undefined), {
    clients: 2,
    seconds: SECONDS,
    warmup: 20,
    pids: raw.pids,
  });
  await raw.close();
  const ours = await startOurs(MODELS_DIR, MODELS[0] as BenchModel);
  let point: LoadPoint;
  try {
    point = await closedLoop(() => ours.send(tiny).then(() => undefined), {
      clients,
      seconds: SECONDS * 2,
      warmup: 5,
      pids: ours.pids,
    });
    console.log(`tiny jobs: ${point.perSecond.toFixed(0)} jobs/s, CPU-ms/job ${JSON.stringify(point.cpuMsPerRequest)}`);
  } finally {
    await ours.close();
  }
  // Where the CPU goes: the same load again with the API and the worker under --cpu-prof
  // (separately: profiling slows a process, so its figures are not the ones above).
  const profiles = await profiled({}, ['api', 'worker'], async (system) => {
    const load = await closedLoop(() => system.send(tiny).then(() => undefined), {
      clients,
      seconds: SECONDS,
      warmup: 5,
      pids: system.pids,
    });
    return { ...load.measuredUs, jobs: load.requests };
  });
  return {
    clients,
    jobsPerSecond: point.perSecond,
    p50Ms: point.p50Ms,
    cpuMsPerJob: point.cpuMsPerRequest,
    rawCpuMsPerJob: rawPoint.cpuMsPerRequest.total ?? 0,
    rawPreprocess,
    profiles,
  };
}

/**
 * Batching that tunes itself: for each model, ours as shipped (the cap chosen on this
 * machine as batches run) against batching off and against a fixed cap of 8, under the
 * same closed-loop load, in alternating rounds.
 */
async function batching(image: BenchImage): Promise<BatchingResult> {
  const clients = 16;
  const rounds = FULL ? 4 : 3;
  const rows = [];
  for (const model of MODELS) {
    console.log(`batching: ${model.title}, ${image.name}, ${clients} clients`);
    rows.push(...(await compareBatching(MODELS_DIR, model, image.bytes, { clients, seconds: SECONDS, rounds })));
  }
  return { image: image.name, clients, rounds, rows };
}

/**
 * Scale-out: 1 to 16 worker processes against one API and one Redis, each with the GPU
 * stand-in (STAND_IN_BATCH_MS: a fixed wait per batch, no CPU), so that what limits the
 * system is everything but the model. Tiny jobs, 8 closed-loop clients per worker.
 */
async function scaleOut(tiny: Buffer): Promise<ScaleOutResult> {
  const batchMs = 100;
  const maxBatchSize = 4;
  const counts = FULL ? [1, 2, 4, 8, 12, 16] : [1, 2, 4, 8, 16];
  const ours = await startOurs(MODELS_DIR, MODELS[0] as BenchModel, {
    env: { STAND_IN_BATCH_MS: String(batchMs), MAX_BATCH_SIZE: String(maxBatchSize) },
  });
  const redis = new Redis(ours.redisUrl);
  const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);
  const points: ScaleOutResult['points'] = [];
  try {
    for (const workers of counts) {
      while (ours.workers.length < workers) await ours.addWorker();
      const before = await commands();
      const started = performance.now();
      const point = await closedLoop(() => ours.send(tiny).then(() => undefined), {
        clients: 8 * workers,
        seconds: SECONDS,
        warmup: 2,
        pids: ours.pids,
      });
      // Commands over the whole loop (warm-up included) divided by its whole time.
      const redisOpsPerSecond = ((await commands()) - before) / ((performance.now() - started) / 1000);
      const linear = (workers * maxBatchSize * 1000) / batchMs;
      console.log(
        `scale-out ${String(workers).padStart(2)} workers: ${point.perSecond.toFixed(0)} jobs/s (linear ${linear}), p50 ${point.p50Ms.toFixed(0)} ms, Redis ${redisOpsPerSecond.toFixed(0)} ops/s`,
      );
      points.push({
        workers,
        jobsPerSecond: point.perSecond,
        linearJobsPerSecond: linear,
        p50Ms: point.p50Ms,
        redisOpsPerSecond,
        cpuMsPerJob: point.cpuMsPerRequest.total ?? 0,
      });
    }
  } finally {
    redis.disconnect();
    await ours.close();
  }
  return { batchMs, maxBatchSize, points };
}

/**
 * The opt-in result cache (RESULT_CACHE_TTL_SECONDS) on EfficientNet-B3, the model where
 * an inference costs most: the first job with an image (a miss), then one client sending
 * the same bytes again and again (hits: no decode, no inference).
 */
async function cacheHits(photoImage: BenchImage): Promise<CacheResult> {
  const model = MODELS[2] as BenchModel;
  const image = photoImage.bytes;
  const ours = await startOurs(MODELS_DIR, model, { env: { RESULT_CACHE_TTL_SECONDS: '600' } });
  try {
    const started = performance.now();
    await ours.send(image);
    const missMs = performance.now() - started;
    const point = await closedLoop(() => ours.send(image).then(() => undefined), {
      clients: 1,
      seconds: SECONDS,
      warmup: 2,
      pids: ours.pids,
    });
    console.log(
      `result cache: miss ${missMs.toFixed(1)} ms; hits ${point.perSecond.toFixed(1)}/s, p50 ${point.p50Ms.toFixed(1)} ms`,
    );
    return {
      model: resultKey(model, photoImage),
      title: model.title,
      image: photoImage.name,
      missMs,
      hitsPerSecond: point.perSecond,
      hitP50Ms: point.p50Ms,
      hitP99Ms: point.p99Ms,
      hitCpuMs: point.cpuMsPerRequest.total ?? 0,
    };
  } finally {
    await ours.close();
  }
}

/** Measure everything, or (--report-only) rewrite the report and charts from docs/benchmarks.json. */
async function run(): Promise<BenchReport> {
  if (process.argv.includes('--report-only')) {
    return JSON.parse(readFileSync(path.join(ROOT, 'docs/benchmarks.json'), 'utf8')) as BenchReport;
  }
  const startedAt = new Date().toISOString();
  if (runs('models')) checkPeerDependencies();
  prepareModels();
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
  };
}

const report = await run();
if (ONLY) {
  writeFileSync(path.join(ROOT, '.bench/only.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote .bench/only.json (--only=${ONLY.join(',')}); docs/benchmarks.md is left as it was`);
  process.exit(0);
}
const charts: Record<string, string> = {};
mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
// Charts of an earlier run's models or images must not stay behind (quick and full name them differently).
for (const old of readdirSync(path.join(ROOT, 'docs/images')).filter((name) => /^bench-.*\.svg$/.test(name))) {
  rmSync(path.join(ROOT, 'docs/images', old));
}
for (const model of report.models) {
  const file = `images/bench-${model.key}.svg`;
  writeFileSync(path.join(ROOT, 'docs', file), throughputSvg(model));
  charts[model.key] = file;
}
if (report.scaleOut) {
  writeFileSync(path.join(ROOT, 'docs/images/bench-scale-out.svg'), scaleOutSvg(report.scaleOut));
  charts.scaleOut = 'images/bench-scale-out.svg';
}
writeFileSync(path.join(ROOT, 'docs/benchmarks.json'), `${JSON.stringify(report, null, 2)}\n`);
const text = markdown(report, charts);
writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), text);
console.log(`\n${text}\nwrote docs/benchmarks.md, docs/benchmarks.json and docs/images/bench-*.svg`);
