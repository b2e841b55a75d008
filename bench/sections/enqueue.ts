import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { CpuMeter } from '../lib/proc.ts';
import { profileClockUs } from '../lib/profile.ts';
import { type BenchModel, startOurs } from '../lib/systems.ts';
import { FULL, MODELS, MODELS_DIR } from '../options.ts';
import type { EnqueueResult } from '../report/results.ts';
import { profiled } from './profiled.ts';

/** Submissions/s with no worker running (autocannon), Redis memory per queued job, and where the API's CPU goes. */
export async function enqueueOnly(tiny: Buffer): Promise<EnqueueResult> {
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
