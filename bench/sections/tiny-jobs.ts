import { decodeImage, loadModelRepository } from '@infer/inference';
import sharp from 'sharp';
import { closedLoop, type LoadPoint } from '../lib/load.ts';
import { type BenchModel, startOurs, startRaw } from '../lib/systems.ts';
import { MODELS, MODELS_DIR, SECONDS } from '../options.ts';
import type { TinyJobsResult } from '../report/results.ts';
import { profiled } from './profiled.ts';

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

/** Tiny jobs end to end: jobs/s and CPU-ms per job of each process, against the raw pipeline on the same image. */
export async function tinyJobs(tiny: Buffer): Promise<TinyJobsResult> {
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
