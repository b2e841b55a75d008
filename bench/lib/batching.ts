import { parseExposition, sampleValue } from '../../test/support/prometheus.ts';
import { closedLoop } from './load.ts';
import { type BenchModel, startOurs } from './systems.ts';

/** The batch size settings compared: ours as shipped (the cap chosen as it runs), batching off, and a fixed cap. */
export const BATCH_CONFIGS = [
  { config: 'tuned', title: 'tuned (default: BATCH_AUTOTUNE, MAX_BATCH_SIZE=8)', env: {} },
  { config: 'batch 1', title: 'batching off (MAX_BATCH_SIZE=1)', env: { MAX_BATCH_SIZE: '1' } },
  {
    config: 'fixed 8',
    title: 'fixed cap (BATCH_AUTOTUNE=false, MAX_BATCH_SIZE=8)',
    env: { BATCH_AUTOTUNE: 'false', MAX_BATCH_SIZE: '8' },
  },
] as const;

export type BatchConfig = (typeof BATCH_CONFIGS)[number]['config'];

export interface BatchingRow {
  model: string;
  title: string;
  config: BatchConfig;
  /** Means over the rounds. */
  imagesPerSecond: number;
  p50Ms: number;
  cpuMsPerImage: number;
  /** Each round's images/s, in the order run. */
  roundsPerSecond: number[];
  /** Images per batch over the measured rounds (worker_batch_size). */
  meanBatchSize: number;
  /** The cap at the end: the worker's worker_batch_size_limit, and batch_size_limit in GET /v1/models. */
  metricLimit: number | null;
  modelsApiLimit: number | null;
}

/**
 * How much the same setting's throughput moved between rounds on this model: half the
 * range of its rounds over their mean, averaged over the settings. A difference between
 * settings smaller than this is the host's drift, not the setting.
 */
export function roundNoise(rows: readonly BatchingRow[]): number {
  const spreads = rows
    .filter((row) => row.roundsPerSecond.length > 1)
    .map((row) => (Math.max(...row.roundsPerSecond) - Math.min(...row.roundsPerSecond)) / 2 / row.imagesPerSecond);
  return spreads.length > 0 ? spreads.reduce((a, b) => a + b, 0) / spreads.length : 0;
}

export interface BatchingResult {
  image: string;
  clients: number;
  rounds: number;
  rows: BatchingRow[];
}

/** worker_batch_size's sum and count for the model, from the worker's /metrics. */
async function batchSizeTotals(workerUrl: string, model: string) {
  const samples = parseExposition(await (await fetch(`${workerUrl}/metrics`)).text());
  return {
    sum: sampleValue(samples, 'worker_batch_size_sum', { model }) ?? 0,
    count: sampleValue(samples, 'worker_batch_size_count', { model }) ?? 0,
    limit: sampleValue(samples, 'worker_batch_size_limit', { model, version: '1' }) ?? null,
  };
}

/**
 * One model under the same load with each batch setting: all three systems are started
 * first and measured in turns, round after round (each round starting with the next
 * setting), so that drift of a shared host falls on each alike. Idle systems hold a
 * blocking read and cost nothing meanwhile.
 */
export async function compareBatching(
  repository: string,
  model: BenchModel,
  image: Uint8Array,
  options: { clients: number; seconds: number; rounds: number },
): Promise<BatchingRow[]> {
  type Running = (typeof BATCH_CONFIGS)[number] & { system: Awaited<ReturnType<typeof startOurs>> };
  const systems: Running[] = [];
  try {
    for (const setting of BATCH_CONFIGS) {
      systems.push({ ...setting, system: await startOurs(repository, model, { env: setting.env }) });
    }
    // Past JIT warm-up, calibration and the tuner's first choices before anything counts:
    // in a trial without it, the first round was the slowest, on the reference model by up to 30 %.
    const sender = (system: Running['system']) => () => system.send(image).then(() => undefined);
    for (const { system } of systems) {
      await closedLoop(sender(system), { clients: options.clients, seconds: 2, warmup: 1, pids: system.pids });
    }
    const rounds = new Map<BatchConfig, Awaited<ReturnType<typeof closedLoop>>[]>();
    const batches = new Map<BatchConfig, { sum: number; count: number }>();
    for (let round = 0; round < options.rounds; round++) {
      // Each round starts with the next setting: no setting always runs first or last.
      const turn = systems.map((_, i) => systems[(i + round) % systems.length] as Running);
      for (const { config, system } of turn) {
        const workerUrl = system.workerUrls[0] as string;
        const send = sender(system);
        // A short warm-up after the other settings' turns: not counted, in the batch sizes either.
        await Promise.all(
          Array.from({ length: options.clients }, async () => {
            for (let i = 0; i < 2; i++) await send();
          }),
        );
        const before = await batchSizeTotals(workerUrl, model.name);
        const load = { clients: options.clients, seconds: options.seconds, warmup: 0, pids: system.pids };
        const point = await closedLoop(send, load);
        const after = await batchSizeTotals(workerUrl, model.name);
        const seen = batches.get(config) ?? { sum: 0, count: 0 };
        batches.set(config, { sum: seen.sum + after.sum - before.sum, count: seen.count + after.count - before.count });
        rounds.set(config, [...(rounds.get(config) ?? []), point]);
        console.log(
          `  batching ${model.key} ${config.padEnd(7)} round ${round + 1}: ${point.perSecond.toFixed(1)} img/s, p50 ${point.p50Ms.toFixed(1)} ms, cap ${after.limit}`,
        );
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const rows: BatchingRow[] = [];
    for (const { config, system } of systems) {
      const points = rounds.get(config) ?? [];
      const totals = batches.get(config) ?? { sum: 0, count: 0 };
      const final = await batchSizeTotals(system.workerUrls[0] as string, model.name);
      const listed = (await (await fetch(`${system.url}/v1/models/${model.name}`)).json()) as {
        batch_size_limit: number | null;
      };
      rows.push({
        model: model.key,
        title: model.title,
        config,
        imagesPerSecond: mean(points.map((p) => p.perSecond)),
        p50Ms: mean(points.map((p) => p.p50Ms)),
        cpuMsPerImage: mean(points.map((p) => p.cpuMsPerRequest.total ?? 0)),
        roundsPerSecond: points.map((p) => p.perSecond),
        meanBatchSize: totals.count > 0 ? totals.sum / totals.count : 0,
        metricLimit: final.limit,
        modelsApiLimit: listed.batch_size_limit,
      });
    }
    return rows;
  } finally {
    await Promise.allSettled(systems.map(({ system }) => system.close()));
  }
}
