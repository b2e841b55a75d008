/** The dashboard's panels and queries, read from docker/observability/grafana/dashboards/infer.json. */
import { DASHBOARD, readText } from './files.ts';
import { labelValuesQuery } from './promql.ts';

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}
export interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type?: string; uid?: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const dashboard = JSON.parse(readText(DASHBOARD)) as Dashboard;

/** Every panel, rows' nested panels included, rows themselves left out. */
export const panels: Panel[] = dashboard.panels
  .flatMap((panel) => [panel, ...(panel.panels ?? [])])
  .filter((panel) => panel.type !== 'row');

/** Every PromQL query of the dashboard: panel targets and label_values() variables. */
export const queries: { where: string; expr: string }[] = [
  ...panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr })),
  ),
  ...dashboard.templating.list.flatMap((variable) => {
    if (variable.type !== 'query') return [];
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const labelValues = labelValuesQuery(query);
    return [{ where: `variable $${variable.name}`, expr: labelValues ? labelValues.selector : query }];
  }),
];
