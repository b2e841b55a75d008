import type { ResultRecord } from './record.ts';

export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface RunSummary {
  total: number;
  skipped: number;
  succeeded: number;
  failed: number;
  canceled: number;
  errors: number;
  seconds: number;
  imagesPerSecond: number;
  p50: number | undefined;
  p95: number | undefined;
  retries: number;
}

export function summarize(
  records: readonly ResultRecord[],
  extra: { total: number; skipped: number; seconds: number; retries: number },
): RunSummary {
  const count = (status: ResultRecord['status']) => records.filter((record) => record.status === status).length;
  const latencies = records
    .flatMap((record) => (record.status === 'succeeded' && record.latency_ms !== null ? [record.latency_ms] : []))
    .sort((a, b) => a - b);
  return {
    ...extra,
    succeeded: count('succeeded'),
    failed: count('failed'),
    canceled: count('canceled'),
    errors: count('error'),
    imagesPerSecond: records.length / Math.max(extra.seconds, 1e-3),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
  };
}

export function summaryLines(summary: RunSummary): string[] {
  const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} ms`);
  return [
    `${summary.total} inputs: ${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.canceled} canceled, ` +
      `${summary.errors} errors, ${summary.skipped} already done`,
    `${summary.succeeded + summary.failed + summary.canceled + summary.errors} scored in ${summary.seconds.toFixed(1)} s: ` +
      `${summary.imagesPerSecond.toFixed(1)} images/s, latency p50 ${ms(summary.p50)}, p95 ${ms(summary.p95)}` +
      (summary.retries > 0 ? `, ${summary.retries} retries after 429/503` : ''),
  ];
}
