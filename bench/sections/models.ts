import { closedLoop, type LoadPoint } from '../lib/load.ts';
import { type BenchModel, type System, startOurs, startPeer, startRaw } from '../lib/systems.ts';
import { CLIENTS, MODELS_DIR, SECONDS, WARMUP } from '../options.ts';
import { type BenchImage, resultKey } from '../photos.ts';
import type { ModelResult } from '../report/results.ts';

/** One system on one image at each client count, after a first request whose top label it keeps. */
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
export async function benchModel(model: BenchModel, image: BenchImage): Promise<ModelResult> {
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
