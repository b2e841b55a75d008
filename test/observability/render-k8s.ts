/**
 * Writes k8s/components/observability/{prometheusrule,grafana-dashboard}.yaml from the
 * canonical rules file and dashboard under docker/observability/. Run after editing either:
 *   node test/observability/render-k8s.ts
 */
import { writeFileSync } from 'node:fs';
import { fromRoot } from './lib/files.ts';
import { RENDERED } from './lib/k8s-manifests.ts';

for (const [file, render] of RENDERED) {
  writeFileSync(fromRoot(file), render());
  console.log(`wrote ${file}`);
}
