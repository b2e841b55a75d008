/**
 * k8s/components/observability's manifests, rendered from the canonical dashboard and rules
 * file: the rules file's `groups:` and the dashboard's JSON are embedded as they are (comments
 * kept), so the PrometheusRule and the Compose profile's Prometheus evaluate the same rules.
 * Write them with `node test/observability/render-k8s.ts`; test/observability/k8s-manifests.test.ts
 * fails when they are stale.
 */
import { DASHBOARD, K8S_DASHBOARD_CONFIGMAP, K8S_PROMETHEUS_RULE, RULES, readText } from './files.ts';

const indent = (text: string, spaces: number): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `${' '.repeat(spaces)}${line}`))
    .join('\n');

/** The rules file from its `groups:` key on (its header comment is about Compose). */
function groupsOf(rules: string): string {
  const start = rules.search(/^groups:/m);
  if (start < 0) throw new Error(`${RULES}: no top-level groups:`);
  return rules.slice(start);
}

export function renderPrometheusRule(rules = readText(RULES)): string {
  return `# Generated from ${RULES} by test/observability/render-k8s.ts: edit that file, then run
#   node test/observability/render-k8s.ts
# The Prometheus operator loads PrometheusRules whose labels match its ruleSelector
# (kube-prometheus-stack: release=<its Helm release name>).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: infer
  labels:
    app.kubernetes.io/name: infer
    app.kubernetes.io/part-of: infer
    release: kube-prometheus-stack
spec:
${indent(groupsOf(rules), 2)}`;
}

export function renderDashboardConfigMap(dashboard = readText(DASHBOARD)): string {
  return `# Generated from ${DASHBOARD} by test/observability/render-k8s.ts: edit that file, then run
#   node test/observability/render-k8s.ts
# Grafana's dashboard sidecar (kube-prometheus-stack: grafana.sidecar.dashboards) loads
# ConfigMaps labelled grafana_dashboard=1; by default only from Grafana's own namespace (set
# grafana.sidecar.dashboards.searchNamespace: ALL, or apply this ConfigMap there).
apiVersion: v1
kind: ConfigMap
metadata:
  name: infer-grafana-dashboard
  labels:
    app.kubernetes.io/name: infer
    app.kubernetes.io/part-of: infer
    grafana_dashboard: '1'
  annotations:
    grafana_folder: Inference platform
data:
  infer.json: |
${indent(dashboard.endsWith('\n') ? dashboard : `${dashboard}\n`, 4)}`;
}

export const RENDERED: ReadonlyArray<readonly [file: string, render: () => string]> = [
  [K8S_PROMETHEUS_RULE, () => renderPrometheusRule()],
  [K8S_DASHBOARD_CONFIGMAP, () => renderDashboardConfigMap()],
];
