/**
 * `pnpm bench:latency`: what the queue costs one request. Sequential jobs on an
 * idle system, the reference model, small PNGs; three ways, in one run:
 *
 * - ours: POST /v1/jobs with `Prefer: wait` through API -> Redis/BullMQ -> worker -> Redis -> API;
 * - synchronous peer: the replaced architecture (one HTTP server that decodes and
 *   runs the model inside the request, like the original FastAPI container),
 *   built from the same preprocessing and ModelServer, so only the queue differs;
 * - raw: preprocessImage + ModelServer.infer in-process, no HTTP.
 *
 * Writes .bench/latency.md and .bench/latency.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobView } from '@infer/contracts';
import { loadModelRepository, ModelServer, preprocessImage } from '@infer/inference';
import { freePort } from '../dev-support/free-port.ts';
import { startLocalRedis } from '../dev-support/local-redis.ts';
import { COLOURS, solidImage } from '../test/support/images.ts';
import { ROOT, ServiceProcess } from '../test/support/processes.ts';
import { CPU_SESSION } from './lib/systems.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 20;
const BENCH_DIR = path.join(ROOT, '.bench');

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timed(run: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

const image = await solidImage(COLOURS.green, 'png', 224);
const repository = loadModelRepository(path.join(ROOT, 'models'), ['plant-pathology']);
const input = repository.get('plant-pathology')?.config.input;
if (!input) throw new Error('reference model missing');
const settings = CPU_SESSION;

// Raw and synchronous peer share one in-process ModelServer (inference thread, no batching window).
const server = await ModelServer.start(repository, settings, { windowMs: 0, maxBatchSize: 1 });
const classify = async (bytes: Uint8Array) => {
  const { data } = await preprocessImage(bytes, input, { maxInputPixels: 50_000_000 });
  return server.infer('plant-pathology', undefined, data);
};
const raw = await timed(async () => {
  await classify(image);
});

const peerPort = await freePort();
const peer = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    classify(Buffer.concat(chunks)).then(
      (outcome) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(outcome.predictions)),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
});
await new Promise<void>((resolve) => peer.listen(peerPort, '127.0.0.1', resolve));
const sync = await timed(async () => {
  const response = await fetch(`http://127.0.0.1:${peerPort}/predict`, { method: 'POST', body: image });
  if (!response.ok) throw new Error(`peer answered ${response.status}`);
  await response.json();
});
peer.close();
await server.close();

// Ours: real processes against a private Redis.
const redisDir = mkdtempSync(path.join(tmpdir(), 'infer-bench-redis-'));
const redis = await startLocalRedis({ dir: redisDir, appendOnly: true });
const apiPort = await freePort();
const env = { REDIS_URL: redis.url, LOG_LEVEL: 'warn', WORKER_MODELS: 'plant-pathology' };
const api = new ServiceProcess('api', 'apps/api/src/main.ts', { ...env, PORT: String(apiPort), HOST: '127.0.0.1' });
const worker = new ServiceProcess('worker', 'apps/worker/src/main.ts', {
  ...env,
  WORKER_PORT: String(await freePort()),
});
const base = `http://127.0.0.1:${apiPort}`;
const stages: { queue: number; preprocess: number; inference: number }[] = [];
let ours: number[] = [];
try {
  await api.waitForHttp(`${base}/readyz`);
  ours = await timed(async () => {
    const response = await fetch(`${base}/v1/jobs?model=plant-pathology`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', prefer: 'wait=30' },
      body: image,
    });
    const job = (await response.json()) as JobView;
    if (job.status !== 'succeeded') throw new Error(`job ${job.id} ${job.status}`);
    if (job.timings) {
      stages.push({
        queue: job.timings.queue_ms,
        preprocess: job.timings.preprocess_ms,
        inference: job.timings.inference_ms,
      });
    }
  });
} finally {
  await Promise.allSettled([api.stop(), worker.stop()]);
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}

const row = (name: string, samples: number[]) => ({
  name,
  p50: round(quantile(samples, 0.5)),
  p95: round(quantile(samples, 0.95)),
  mean: round(samples.reduce((a, b) => a + b, 0) / samples.length),
});
const rows = [
  row('ours: API + queue + worker (Prefer: wait)', ours),
  row('synchronous peer (decode + infer in the request)', sync),
  row('raw in-process (no HTTP)', raw),
];
const [oursRow, syncRow, rawRow] = rows as [ReturnType<typeof row>, ReturnType<typeof row>, ReturnType<typeof row>];
const stage = (key: 'queue' | 'preprocess' | 'inference') =>
  round(
    quantile(
      stages.slice(WARMUP).map((s) => s[key]),
      0.5,
    ),
  );
const report = {
  date: new Date().toISOString(),
  requests: REQUESTS,
  rows,
  median_stages_ms: { queue: stage('queue'), preprocess: stage('preprocess'), inference: stage('inference') },
  ratios: {
    ours_vs_sync_p50: round(oursRow.p50 / syncRow.p50),
    ours_vs_raw_p50: round(oursRow.p50 / rawRow.p50),
    queue_overhead_p50_ms: round(oursRow.p50 - syncRow.p50),
  },
};
const markdown = [
  '# Latency benchmark',
  '',
  `${report.date} · ${REQUESTS} sequential requests after ${WARMUP} warm-up · reference model · 224x224 PNG · idle system`,
  '',
  '| Path | p50 ms | p95 ms | mean ms |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${r.p50} | ${r.p95} | ${r.mean} |`),
  '',
  `Median stages inside our jobs: queue ${report.median_stages_ms.queue} ms (includes BATCH_WINDOW_MS), preprocess ${report.median_stages_ms.preprocess} ms, inference ${report.median_stages_ms.inference} ms.`,
  `Ours / synchronous peer (p50): ${report.ratios.ours_vs_sync_p50}x; ours / raw: ${report.ratios.ours_vs_raw_p50}x; the queue adds ${report.ratios.queue_overhead_p50_ms} ms at p50.`,
  '',
].join('\n');
mkdirSync(BENCH_DIR, { recursive: true });
writeFileSync(path.join(BENCH_DIR, 'latency.md'), markdown);
writeFileSync(path.join(BENCH_DIR, 'latency.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(markdown);
console.log('wrote .bench/latency.md and .bench/latency.json');
