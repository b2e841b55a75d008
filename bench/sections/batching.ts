import { type BatchingResult, compareBatching } from '../lib/batching.ts';
import { FULL, MODELS, MODELS_DIR, SECONDS } from '../options.ts';
import type { BenchImage } from '../photos.ts';

/**
 * Batching that tunes itself: for each model, ours as shipped (the cap chosen on this
 * machine as batches run) against batching off and against a fixed cap of 8, under the
 * same closed-loop load, in alternating rounds.
 */
export async function batching(image: BenchImage): Promise<BatchingResult> {
  const clients = 16;
  const rounds = FULL ? 4 : 3;
  const rows = [];
  for (const model of MODELS) {
    console.log(`batching: ${model.title}, ${image.name}, ${clients} clients`);
    rows.push(...(await compareBatching(MODELS_DIR, model, image.bytes, { clients, seconds: SECONDS, rounds })));
  }
  return { image: image.name, clients, rounds, rows };
}
