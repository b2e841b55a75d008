import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem } from '../support/system.ts';

const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

/**
 * prom-client's default collectors name three gauges `*_total`; they keep the library's names
 * (dashboards for Node.js processes expect them). Only these exact findings are let through.
 */
const LIBRARY_FINDINGS = new Set(
  ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'].map(
    (name) => `${name} non-counter metrics should not have "_total" suffix`,
  ),
);

/** Every metric name of every process passes Prometheus's own linter (`promtool check metrics`, Debian's prometheus). */
describe('metric names (promtool check metrics on real API, worker and dispatcher /metrics)', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.start({ dispatcher: true });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('reports no problem for the API, the worker or the dispatcher', async () => {
    const workerPort = /"port":(\d+),"msg":"probes listening"/.exec(system.workers[0]?.logs ?? '')?.[1];
    const sources = {
      api: system.url('/metrics'),
      worker: `http://127.0.0.1:${workerPort}/metrics`,
      dispatcher: `${system.dispatcherUrls[0]}/metrics`,
    };
    for (const [name, url] of Object.entries(sources)) {
      const exposition = await (await fetch(url)).text();
      expect(exposition, name).toContain('# TYPE');
      const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
      const problems = (lint.stdout + lint.stderr)
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !LIBRARY_FINDINGS.has(line));
      expect({ name, problems }).toEqual({ name, problems: [] });
      expect(lint.error).toBeUndefined();
    }
  });
});
