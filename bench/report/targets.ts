import type { BatchingResult, BatchingRow } from '../lib/batching.ts';
import { roundNoise } from '../lib/batching.ts';
import { clientsText, f, pointAt } from './format.ts';
import type { BenchReport, ScaleOutResult } from './results.ts';

/** The first worker count below 80 % of linear: where adding workers stops paying. */
export function knee(result: ScaleOutResult): ScaleOutResult['points'][number] | undefined {
  return result.points.find((p) => p.jobsPerSecond < 0.8 * p.linearJobsPerSecond);
}

/** One target: what is measured against what, whether this run met it, and this run's figure. */
export interface Target {
  what: string;
  met: boolean;
  figure: string;
}

/** The targets of issue 16, each checked against this run's figures. */
export function targets(report: BenchReport): Target[] {
  const out: Target[] = [];
  for (const model of report.models) {
    const { raw, ours, peer } = model.points;
    for (const o of ours ?? []) {
      const r = pointAt(raw, o.clients);
      const p = pointAt(peer, o.clients);
      if (r && o.clients >= 4) {
        const ratio = o.perSecond / r.perSecond;
        out.push({
          what: `${model.title}, ${o.clients} clients: ours >= 0.9x raw throughput`,
          met: ratio >= 0.9,
          figure: `${f(ratio, 2)}x`,
        });
        const cpu = (o.cpuMsPerRequest.total ?? 0) / (r.cpuMsPerRequest.total ?? 1);
        out.push({
          what: `${model.title}, ${o.clients} clients: CPU-ms per image <= 1.15x raw`,
          met: cpu <= 1.15,
          figure: `${f(cpu, 2)}x`,
        });
      }
      if (r && o.clients === 1) {
        const extra = o.p50Ms - r.p50Ms;
        out.push({ what: `${model.title}, 1 client: p50 <= raw + 5 ms`, met: extra <= 5, figure: `+${f(extra)} ms` });
      }
      if (p) {
        const ratio = o.perSecond / p.perSecond;
        out.push({
          what: `${model.title}, ${clientsText(o.clients)}: ours >= 2x the seed-style peer`,
          met: ratio >= 2,
          figure: `${f(ratio, 2)}x`,
        });
      }
    }
  }
  for (const { model, ratio, noise, met } of batchingPairs(report.batching)) {
    out.push({
      what: `${model}, ${report.batching?.clients} clients: the tuned batch cap not below batching off (batch size 1) beyond the rounds' drift`,
      met,
      figure: `${f(ratio, 2)}x (drift ±${f(noise * 100, 0)} %)`,
    });
  }
  const { tiny, enqueue } = report;
  if (tiny) {
    const workerOverhead = (tiny.cpuMsPerJob.worker ?? 0) - tiny.rawCpuMsPerJob;
    // Not "outside decode and inference" itself: the worker's CPU minus the raw pipeline's on the same image.
    out.push({
      what: "tiny jobs: worker CPU-ms per job beyond the raw pipeline's (target: <= 1.5 outside decode and inference)",
      met: workerOverhead <= 1.5,
      figure: `${f(workerOverhead, 2)} ms`,
    });
    out.push({
      what: 'tiny jobs: API <= 0.7 CPU-ms per job',
      met: (tiny.cpuMsPerJob.api ?? 0) <= 0.7,
      figure: `${f(tiny.cpuMsPerJob.api ?? 0, 2)} ms`,
    });
    out.push({
      what: 'tiny jobs: >= 600 jobs/s end to end',
      met: tiny.jobsPerSecond >= 600,
      figure: `${f(tiny.jobsPerSecond, 0)}/s`,
    });
  }
  if (enqueue) {
    out.push({
      what: 'enqueue only: >= 3,000 submissions/s on one API process',
      met: enqueue.submissionsPerSecond >= 3000,
      figure: `${f(enqueue.submissionsPerSecond, 0)}/s`,
    });
  }
  if (report.cli) {
    const ratio = report.cli.cliImagesPerSecond / report.cli.generatorImagesPerSecond;
    out.push({
      what: `\`infer classify\`, ${report.cli.images} small images: images/s >= 0.9x the load generator's`,
      met: ratio >= 0.9,
      figure: `${f(ratio, 2)}x`,
    });
  }
  return out;
}

/**
 * Each model's tuned row beside its batching-off row, how far its rounds drifted (roundNoise)
 * and whether the tuned cap held: not below batching off by more than that drift.
 */
export function batchingPairs(
  batching: BatchingResult | undefined,
): { model: string; tuned: BatchingRow; off: BatchingRow; ratio: number; noise: number; met: boolean }[] {
  const rows = batching?.rows ?? [];
  return [...new Set(rows.map((row) => row.model))].flatMap((key) => {
    const own = rows.filter((row) => row.model === key);
    const tuned = own.find((row) => row.config === 'tuned');
    const off = own.find((row) => row.config === 'batch 1');
    if (!tuned || !off) return [];
    const ratio = tuned.imagesPerSecond / off.imagesPerSecond;
    const noise = roundNoise(own);
    return [{ model: tuned.title, tuned, off, ratio, noise, met: ratio >= 1 - noise }];
  });
}
