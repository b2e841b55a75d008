import { Redis } from 'ioredis';
import { closedLoop } from '../lib/load.ts';
import { type BenchModel, startOurs } from '../lib/systems.ts';
import { FULL, MODELS, MODELS_DIR, SECONDS } from '../options.ts';
import type { ScaleOutResult } from '../report/results.ts';

/**
 * Scale-out: 1 to 16 worker processes against one API and one Redis, each with the GPU
 * stand-in (STAND_IN_BATCH_MS: a fixed wait per batch, no CPU), so that what limits the
 * system is everything but the model. Tiny jobs, 8 closed-loop clients per worker.
 */
export async function scaleOut(tiny: Buffer): Promise<ScaleOutResult> {
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
