/**
 * A few of grafana/dashboard-linter's rules (it cannot be installed here), on the dashboard
 * docker/observability/grafana/dashboards/infer.json: the data source is a template variable
 * used by every panel and query, every panel has a unit and a description, rates use
 * $__rate_interval, no query pins a scrape job or instance, and the panels fit the grid.
 */
import { describe, expect, it } from 'vitest';
import { dashboard, panels } from './lib/dashboard.ts';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Range functions over counters (strings blanked out): their window must follow the scrape interval. */
const RATE_FUNCTIONS = /\b(rate|irate|increase)\s*\([^[]*\[([^\]]+)\]/g;
const withoutStrings = (expr: string): string => expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');

describe('dashboard lint (docker/observability/grafana/dashboards/infer.json)', () => {
  it('has a uid, a title and a Prometheus data source variable', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).not.toBe('');
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
  });

  it('takes every variable query from the data source variable', () => {
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query'))
      expect(variable.datasource, variable.name).toEqual(DATASOURCE);
  });

  it.each(panels.map((panel) => [panel.title, panel] as const))('panel "%s" is linted', (_title, panel) => {
    expect(panel.datasource, 'panel data source').toEqual(DATASOURCE);
    expect(panel.description?.trim(), 'description').toBeTruthy();
    expect(panel.fieldConfig?.defaults?.unit, 'unit').toBeTruthy();
    expect(panel.targets?.length, 'queries').toBeGreaterThan(0);
    for (const target of panel.targets ?? []) {
      expect(target.datasource, `${target.refId} data source`).toEqual(DATASOURCE);
      for (const [call, fn, window] of withoutStrings(target.expr).matchAll(RATE_FUNCTIONS)) {
        // A stat over the whole time range may use $__range with increase(); rates never.
        const allowed = fn === 'increase' ? ['$__rate_interval', '$__range'] : ['$__rate_interval'];
        expect(allowed, `${target.refId}: ${call}`).toContain(window);
      }
      expect(target.expr, `${target.refId} pins a scrape job or instance`).not.toMatch(/\b(job|instance)\s*[=!]~?\s*"/);
    }
  });

  it('has unique panel ids and panels that fit the 24-column grid', () => {
    const all = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
    expect(new Set(all.map((panel) => panel.id)).size).toBe(all.length);
    for (const panel of all) expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
  });
});
