import { closedLoop } from '../lib/load.ts';
import { type BenchModel, startOurs } from '../lib/systems.ts';
import { MODELS, MODELS_DIR, SECONDS } from '../options.ts';
import { type BenchImage, resultKey } from '../photos.ts';
import type { CacheResult } from '../report/results.ts';

/**
 * The opt-in result cache (RESULT_CACHE_TTL_SECONDS) on EfficientNet-B3, the model where
 * an inference costs most: the first job with an image (a miss), then one client sending
 * the same bytes again and again (hits: no decode, no inference).
 */
export async function cacheHits(photoImage: BenchImage): Promise<CacheResult> {
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
