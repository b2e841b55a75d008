/**
 * The observability files: one dashboard and one rules file, canonical under
 * docker/observability/ (the Compose profile mounts them) and rendered into
 * k8s/components/observability/ (kustomize cannot read files outside a component's folder).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fromRoot = (...parts: string[]): string => path.join(repoRoot, ...parts);

export const DASHBOARD = 'docker/observability/grafana/dashboards/infer.json';
export const RULES = 'docker/observability/rules/infer.rules.yaml';
/** promtool unit tests of the rules, one file per rule group. */
export const RULE_TESTS_DIR = 'docker/observability/rules/tests';
export const K8S_COMPONENT = 'k8s/components/observability';
export const K8S_PROMETHEUS_RULE = `${K8S_COMPONENT}/prometheusrule.yaml`;
export const K8S_DASHBOARD_CONFIGMAP = `${K8S_COMPONENT}/grafana-dashboard.yaml`;

export const readText = (file: string): string => readFileSync(fromRoot(file), 'utf8');

export const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
