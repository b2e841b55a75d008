import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queries } from '../observability/lib/dashboard.ts';
import { selectorsOf } from '../observability/lib/promql.ts';
import { ruleGroups } from '../observability/lib/rules.ts';
import { COLOURS, solidImage } from '../support/images.ts';
import { pollUntilDone, submitImage } from '../support/jobs-client.ts';
import { parseExposition } from '../support/prometheus.ts';
import { TestSystem } from '../support/system.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

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

/** Labels Prometheus adds when it scrapes (static, Compose DNS or Kubernetes service discovery). */
const TARGET_LABELS = new Set(['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint']);

/**
 * The metric names of every process pass Prometheus's own linter (`promtool check metrics`,
 * Debian's prometheus), and the dashboard and alert rules (docker/observability/) name only
 * metrics, and matcher labels, that these real processes export after one job with a webhook.
 */
describe('metric names (real API, worker and dispatcher /metrics after one job and one webhook)', () => {
  let system: TestSystem;
  let receiver: WebhookReceiver;
  const expositions: Record<string, string> = {};

  beforeAll(async () => {
    system = await TestSystem.start({ dispatcher: true, env: { SSRF_ALLOWLIST: '127.0.0.1' } });
    receiver = await WebhookReceiver.start();
    const submitted = await submitImage(system.apiUrl, await solidImage(COLOURS.green), {
      webhook_url: receiver.url(),
    });
    expect(submitted.status, await submitted.clone().text()).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    expect((await pollUntilDone(system.apiUrl, id)).status).toBe('succeeded');
    await receiver.waitForRequests(1);
    // The dispatcher counts the delivery once the receiver's answer is recorded.
    const deadline = Date.now() + 20_000;
    const webhookStatus = async () =>
      ((await (await fetch(system.url(`/v1/jobs/${id}`))).json()) as JobWebhook).webhook?.status;
    while ((await webhookStatus()) !== 'delivered') {
      if (Date.now() > deadline) throw new Error(`webhook not delivered\n${system.logs().slice(-5000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const workerPort = /"port":(\d+),"msg":"probes listening"/.exec(system.workers[0]?.logs ?? '')?.[1];
    const sources = {
      api: system.url('/metrics'),
      worker: `http://127.0.0.1:${workerPort}/metrics`,
      dispatcher: `${system.dispatcherUrls[0]}/metrics`,
    };
    for (const [name, url] of Object.entries(sources)) expositions[name] = await (await fetch(url)).text();
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await system?.stop();
  });

  it('reports no problem for the API, the worker or the dispatcher', () => {
    for (const [name, exposition] of Object.entries(expositions)) {
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

  it('exports every metric the dashboard and the alert rules query, with the labels they match on', () => {
    const exported = exportedSeries(Object.values(expositions));
    const used = [
      ...queries,
      ...ruleGroups.flatMap((group) =>
        group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })),
      ),
    ];
    const problems: string[] = [];
    for (const { where, expr } of used) {
      for (const { metric, labels } of selectorsOf(expr)) {
        const seen = exported.get(metric);
        if (!seen) problems.push(`${where}: ${metric} is not exported`);
        // Label names are known once a sample exists (every series these queries match has one here).
        else if (seen.sampled)
          for (const label of labels)
            if (!seen.labels.has(label) && !TARGET_LABELS.has(label))
              problems.push(`${where}: ${metric} has no label ${label}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('labels per-job worker metrics with model and version, and exports queue age and Redis memory', () => {
    const worker = parseExposition(expositions.worker ?? '');
    for (const name of ['worker_stage_seconds_count', 'worker_job_duration_seconds_count', 'worker_batch_size_count']) {
      const samples = worker.filter((sample) => sample.name === name);
      expect(samples.length, name).toBeGreaterThan(0);
      for (const sample of samples)
        expect(sample.labels, name).toMatchObject({ model: expect.any(String), version: '1' });
    }
    const api = parseExposition(expositions.api ?? '');
    expect(api.filter((sample) => sample.name === 'inference_queue_oldest_job_age_seconds').length).toBeGreaterThan(0);
    expect(api.find((sample) => sample.name === 'inference_redis_used_memory_bytes')?.value).toBeGreaterThan(0);
    expect(api.find((sample) => sample.name === 'inference_redis_maxmemory_bytes')?.value).toBeGreaterThanOrEqual(0);
  });
});

interface JobWebhook {
  webhook?: { status?: string } | null;
}

/**
 * Metric names of the expositions with the label names seen on their samples. A family with
 * no sample yet (a labelled counter never incremented) is known by its TYPE line: histograms
 * and summaries add their _bucket, _sum and _count series.
 */
function exportedSeries(expositions: string[]): Map<string, { sampled: boolean; labels: Set<string> }> {
  const series = new Map<string, { sampled: boolean; labels: Set<string> }>();
  const add = (name: string) => {
    const known = series.get(name) ?? { sampled: false, labels: new Set<string>() };
    series.set(name, known);
    return known;
  };
  for (const text of expositions) {
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      const family = name as string;
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) add(`${family}${suffix}`);
      else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) add(`${family}${suffix}`);
      else add(family);
    }
    for (const sample of parseExposition(text)) {
      const known = add(sample.name);
      known.sampled = true;
      for (const label of Object.keys(sample.labels)) known.labels.add(label);
    }
  }
  return series;
}
