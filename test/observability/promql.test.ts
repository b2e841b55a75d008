/**
 * Every PromQL query of the dashboard and every alert rule parses (promtool check rules, the
 * dashboard's queries written into a throwaway rules file with Grafana's variables
 * substituted). That they name only metrics the processes export is checked against real
 * processes in test/e2e/metric-names.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { queries } from './lib/dashboard.ts';
import { fromRoot, PROMTOOL, RULES } from './lib/files.ts';
import { selectorsOf, substituteVariables } from './lib/promql.ts';

describe('the PromQL reader (test/observability/lib/promql.ts)', () => {
  it('lists metric names with their matcher labels, past functions, aggregations and label lists', () => {
    expect(
      selectorsOf(
        'histogram_quantile(0.95, sum by (le, stage) (rate(worker_stage_seconds_bucket{model=~"a|b", version!="1"}[5m])))',
      ),
    ).toEqual([{ metric: 'worker_stage_seconds_bucket', labels: ['model', 'version'] }]);
    expect(
      selectorsOf(`sum by (namespace, model) (max by (namespace, model, state) (inference_queue_jobs{state=~"waiting"})) > 0
        unless on (namespace, model) max by (namespace, model) (inference_workers_alive) > 0`),
    ).toEqual([
      { metric: 'inference_queue_jobs', labels: ['state'] },
      { metric: 'inference_workers_alive', labels: [] },
    ]);
    expect(
      selectorsOf('changes(process_start_time_seconds[30m]) >= 2 and on (instance) worker_ready offset 5m'),
    ).toEqual([
      { metric: 'process_start_time_seconds', labels: [] },
      { metric: 'worker_ready', labels: [] },
    ]);
    expect(selectorsOf('max(x{a="}", b=\'{\'}) / max(y > 0)')).toEqual([
      { metric: 'x', labels: ['a', 'b'] },
      { metric: 'y', labels: [] },
    ]);
  });

  it('substitutes Grafana variables as Prometheus receives them', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
    expect(substituteVariables('rate(a{model=~"$model",v=~"${version}"}[$__rate_interval]) + b[$__range]')).toBe(
      'rate(a{model=~".*",v=~".*"}[1m]) + b[1h]',
    );
  });
});

describe('PromQL of the dashboard and the alert rules', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'promql-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has queries to check', () => {
    expect(queries.length).toBeGreaterThan(15);
    for (const { where, expr } of queries) expect(selectorsOf(expr).length, where).toBeGreaterThan(0);
  });

  it('parses every dashboard query (promtool check rules)', () => {
    const file = path.join(dir, 'dashboard-queries.rules.yaml');
    const rules = queries.map(({ expr }, index) => ({
      record: `dashboard_query_${index}`,
      expr: substituteVariables(expr),
    }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const check = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    const where = queries.map(({ where }, index) => `dashboard_query_${index}: ${where}`).join('\n');
    expect(check.status, `${check.stdout}${check.stderr}\n${where}`).toBe(0);
  });

  it('parses every alert rule (promtool check rules)', () => {
    const check = spawnSync(PROMTOOL, ['check', 'rules', fromRoot(RULES)], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
