import type { ShadowStats } from '@infer/contracts';
import type { ShadowStatsStore } from '@infer/job-store';
import { Gauge, type Registry } from 'prom-client';

/**
 * Each shadow candidate's comparison over the stats window (GET /v1/models/{name}/routing),
 * read from Redis at scrape time: every API replica reports the same values (aggregate with max).
 */
export function registerShadowMetrics(
  registry: Registry,
  sources: { models: () => string[]; stats: ShadowStatsStore },
): void {
  let current: Promise<[string, ShadowStats][]> | undefined;
  // The first gauge collected reads Redis once; the others of the same scrape reuse it.
  const read = () => {
    current ??= Promise.all(
      sources.models().map(async (model) => (await sources.stats.read(model)).map((s) => [model, s] as const)),
    )
      .then((lists) => lists.flat() as [string, ShadowStats][])
      .finally(() => setImmediate(() => (current = undefined)));
    return current;
  };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    set: (g: Gauge, model: string, s: ShadowStats) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [model, stats] of await read()) set(this, model, stats);
      },
    });
  gauge('inference_shadow_compared', 'Shadowed jobs compared over the window', ['model', 'candidate'], (g, m, s) =>
    g.set({ model: m, candidate: s.candidate }, s.compared),
  );
  gauge(
    'inference_shadow_top1_agreement',
    'Share of compared jobs whose top-1 label the candidate shares (0..1)',
    ['model', 'candidate'],
    (g, m, s) => {
      if (s.top1_agreement !== null) g.set({ model: m, candidate: s.candidate }, s.top1_agreement);
    },
  );
  gauge(
    'inference_shadow_mean_abs_score_diff',
    'Mean absolute score difference between candidate and primary',
    ['model', 'candidate'],
    (g, m, s) => {
      if (s.mean_abs_score_diff !== null) g.set({ model: m, candidate: s.candidate }, s.mean_abs_score_diff);
    },
  );
  gauge(
    'inference_shadow_latency_ms',
    'Inference time of the batch each answer ran in, primary and candidate',
    ['model', 'candidate', 'side', 'quantile'],
    (g, m, s) => {
      for (const side of ['primary', 'candidate'] as const) {
        for (const quantile of ['p50', 'p95'] as const) {
          const value = s.latency_ms[side][quantile];
          if (value !== null) g.set({ model: m, candidate: s.candidate, side, quantile }, value);
        }
      }
    },
  );
  gauge(
    'inference_shadow_errors',
    'Shadowed jobs failed on the primary, shadow runs failed on the candidate',
    ['model', 'candidate', 'side'],
    (g, m, s) => {
      g.set({ model: m, candidate: s.candidate, side: 'primary' }, s.errors.primary);
      g.set({ model: m, candidate: s.candidate, side: 'candidate' }, s.errors.candidate);
    },
  );
  gauge('inference_shadow_dropped', 'Shadow runs dropped under load', ['model', 'candidate'], (g, m, s) =>
    g.set({ model: m, candidate: s.candidate }, s.dropped),
  );
}
