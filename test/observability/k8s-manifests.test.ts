/**
 * k8s/components/observability carries the same rules and dashboard as the Compose profile:
 * its files are what test/observability/render-k8s.ts renders from docker/observability/, and
 * the PrometheusRule's groups equal the rules file's, the ConfigMap's JSON the dashboard's.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARD, K8S_DASHBOARD_CONFIGMAP, K8S_PROMETHEUS_RULE, RULES, readText } from './lib/files.ts';
import { RENDERED } from './lib/k8s-manifests.ts';

describe('k8s/components/observability', () => {
  it.each(RENDERED)('%s is up to date (else run: node test/observability/render-k8s.ts)', (file, render) => {
    expect(readText(file) === render(), `${file} is stale`).toBe(true);
  });

  it('has a PrometheusRule with the rule groups Prometheus loads in Compose', () => {
    const rule = parse(readText(K8S_PROMETHEUS_RULE)) as { kind: string; spec: { groups: unknown } };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec.groups).toEqual((parse(readText(RULES)) as { groups: unknown }).groups);
  });

  it('has a dashboard ConfigMap for the Grafana sidecar with the dashboard Compose provisions', () => {
    const configMap = parse(readText(K8S_DASHBOARD_CONFIGMAP)) as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(configMap.data['infer.json'] ?? '')).toEqual(JSON.parse(readText(DASHBOARD)));
  });
});
