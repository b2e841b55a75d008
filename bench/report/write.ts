import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../test/support/processes.ts';
import { scaleOutSvg, throughputSvg } from './charts.ts';
import { markdown } from './markdown.ts';
import type { BenchReport } from './results.ts';

/** Writes docs/benchmarks.json, the charts (docs/images/bench-*.svg) and docs/benchmarks.md from one run; returns the report's text. */
export function writeReport(report: BenchReport): string {
  const charts: Record<string, string> = {};
  mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
  // Charts of an earlier run's models or images must not stay behind (quick and full name them differently).
  for (const old of readdirSync(path.join(ROOT, 'docs/images')).filter((name) => /^bench-.*\.svg$/.test(name))) {
    rmSync(path.join(ROOT, 'docs/images', old));
  }
  for (const model of report.models) {
    const file = `images/bench-${model.key}.svg`;
    writeFileSync(path.join(ROOT, 'docs', file), throughputSvg(model));
    charts[model.key] = file;
  }
  if (report.scaleOut) {
    writeFileSync(path.join(ROOT, 'docs/images/bench-scale-out.svg'), scaleOutSvg(report.scaleOut));
    charts.scaleOut = 'images/bench-scale-out.svg';
  }
  writeFileSync(path.join(ROOT, 'docs/benchmarks.json'), `${JSON.stringify(report, null, 2)}\n`);
  const text = markdown(report, charts);
  writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), text);
  return text;
}
