import { BATCH_CONFIGS, type BatchingResult, type BatchingRow, roundNoise } from './batching.ts';
import { lineChartSvg } from './chart.ts';
import type { LoadPoint } from './load.ts';
import type { ProfileSummary } from './profile.ts';
import type { WakeCost } from './wake.ts';

export interface ModelResult {
  key: string;
  title: string;
  image: string;
  /** system -> points at each client count */
  points: Record<string, LoadPoint[]>;
  /** Top label of the bench image from each system: they must agree (same weights). */
  labels: Record<string, string>;
}

export interface EnqueueResult {
  connections: number;
  seconds: number;
  submissionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  apiCpuMsPerSubmission: number;
  redisCpuMsPerSubmission: number;
  redisBytesPerQueuedJob: number;
  /** Where the API's main thread spends its time, from a --cpu-prof run of the same load. */
  profiles?: Record<string, ProfileSummary>;
}

export interface TinyJobsResult {
  clients: number;
  jobsPerSecond: number;
  p50Ms: number;
  /** CPU-ms per job of each process, and the raw pipeline's for the same tiny image. */
  cpuMsPerJob: Record<string, number>;
  rawCpuMsPerJob: number;
  /** The raw pipeline's preprocessing of the same image, one call at a time in the bench process. */
  rawPreprocess?: { decodeCpuMs: number; decodeAndResizeCpuMs: number; width: number; height: number } | undefined;
  /** Where the API's and the worker's main threads spend their time, from a --cpu-prof run of the same load. */
  profiles?: Record<string, ProfileSummary>;
}

export interface ScaleOutResult {
  /** The GPU stand-in: each batch waits this long and uses no CPU. */
  batchMs: number;
  maxBatchSize: number;
  points: {
    workers: number;
    jobsPerSecond: number;
    /** What the workers could do if nothing else limited them: workers x maxBatchSize / batchMs. */
    linearJobsPerSecond: number;
    p50Ms: number;
    redisOpsPerSecond: number;
    cpuMsPerJob: number;
  }[];
}

export interface CacheResult {
  /** The key of the ModelResult (model, and image when there are several) its hits are set against. */
  model: string;
  title: string;
  image: string;
  /** The first job with the image: decoded and inferred. */
  missMs: number;
  hitsPerSecond: number;
  hitP50Ms: number;
  hitP99Ms: number;
  /** CPU-ms per hit over every process. */
  hitCpuMs: number;
}

export interface BenchReport {
  mode: 'quick' | 'full';
  startedAt: string;
  machine: Record<string, string | number>;
  models: ModelResult[];
  batching?: BatchingResult | undefined;
  enqueue?: EnqueueResult | undefined;
  tiny?: TinyJobsResult | undefined;
  scaleOut?: ScaleOutResult | undefined;
  cache?: CacheResult | undefined;
  /** A hop to an idle process on this machine (measureWakeCost). */
  wake?: WakeCost | undefined;
}

/** Wake-ups in sequence on the way of a lone job (see whyMissed). */
const HOPS = 10;

/** The first worker count below 80 % of linear: where adding workers stops paying. */
export function knee(result: ScaleOutResult): ScaleOutResult['points'][number] | undefined {
  return result.points.find((p) => p.jobsPerSecond < 0.8 * p.linearJobsPerSecond);
}

/** What the raw pipeline's preprocessing costs, one call at a time, when the run measured it. */
function preprocessText(t: TinyJobsResult): string {
  const p = t.rawPreprocess;
  if (!p) return '';
  return `; measured one call at a time in the bench process, decoding the 64x64 PNG alone takes ${f(p.decodeCpuMs, 2)} CPU-ms and decoding it and enlarging it to ${p.width}x${p.height} ${f(p.decodeAndResizeCpuMs, 2)}, so the enlargement is most of it: libvips enlarges with \`vips_affine\` and a bicubic interpolator, where it shrinks with its fast \`vips_reduce\``;
}

const f = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

const clientsText = (clients: number) => `${clients} client${clients === 1 ? '' : 's'}`;

const pointAt = (points: readonly LoadPoint[] | undefined, clients: number) =>
  points?.find((p) => p.clients === clients);

interface Target {
  what: string;
  met: boolean;
  figure: string;
}

/** The targets of issue 16, each checked against this run's figures. */
export function targets(report: BenchReport): Target[] {
  const out: Target[] = [];
  for (const model of report.models) {
    const { raw, ours, peer } = model.points;
    for (const o of ours ?? []) {
      const r = pointAt(raw, o.clients);
      const p = pointAt(peer, o.clients);
      if (r && o.clients >= 4) {
        const ratio = o.perSecond / r.perSecond;
        out.push({
          what: `${model.title}, ${o.clients} clients: ours >= 0.9x raw throughput`,
          met: ratio >= 0.9,
          figure: `${f(ratio, 2)}x`,
        });
        const cpu = (o.cpuMsPerRequest.total ?? 0) / (r.cpuMsPerRequest.total ?? 1);
        out.push({
          what: `${model.title}, ${o.clients} clients: CPU-ms per image <= 1.15x raw`,
          met: cpu <= 1.15,
          figure: `${f(cpu, 2)}x`,
        });
      }
      if (r && o.clients === 1) {
        const extra = o.p50Ms - r.p50Ms;
        out.push({ what: `${model.title}, 1 client: p50 <= raw + 5 ms`, met: extra <= 5, figure: `+${f(extra)} ms` });
      }
      if (p) {
        const ratio = o.perSecond / p.perSecond;
        out.push({
          what: `${model.title}, ${clientsText(o.clients)}: ours >= 2x the seed-style peer`,
          met: ratio >= 2,
          figure: `${f(ratio, 2)}x`,
        });
      }
    }
  }
  for (const { model, ratio, noise, met } of batchingPairs(report.batching)) {
    out.push({
      what: `${model}, ${report.batching?.clients} clients: the tuned batch cap not below batching off (batch size 1) beyond the rounds' drift`,
      met,
      figure: `${f(ratio, 2)}x (drift ±${f(noise * 100, 0)} %)`,
    });
  }
  const { tiny, enqueue } = report;
  if (tiny) {
    const workerOverhead = (tiny.cpuMsPerJob.worker ?? 0) - tiny.rawCpuMsPerJob;
    // Not "outside decode and inference" itself: the worker's CPU minus the raw pipeline's on the same image.
    out.push({
      what: "tiny jobs: worker CPU-ms per job beyond the raw pipeline's (target: <= 1.5 outside decode and inference)",
      met: workerOverhead <= 1.5,
      figure: `${f(workerOverhead, 2)} ms`,
    });
    out.push({
      what: 'tiny jobs: API <= 0.7 CPU-ms per job',
      met: (tiny.cpuMsPerJob.api ?? 0) <= 0.7,
      figure: `${f(tiny.cpuMsPerJob.api ?? 0, 2)} ms`,
    });
    out.push({
      what: 'tiny jobs: >= 600 jobs/s end to end',
      met: tiny.jobsPerSecond >= 600,
      figure: `${f(tiny.jobsPerSecond, 0)}/s`,
    });
  }
  if (enqueue) {
    out.push({
      what: 'enqueue only: >= 3,000 submissions/s on one API process',
      met: enqueue.submissionsPerSecond >= 3000,
      figure: `${f(enqueue.submissionsPerSecond, 0)}/s`,
    });
  }
  return out;
}

/**
 * Why the missed targets are missed, from this run's own figures: on a machine with this
 * few cores every system is CPU-bound, so a system's ceiling is cores / CPU per image, and
 * what ours spends beyond the raw pipeline (HTTP, Redis, the queue) is what it loses.
 */
function whyMissed(report: BenchReport): string[] {
  const cores = Number(report.machine.cores) || 1;
  const lines = ['### Why the missed targets are missed', ''];
  const missed = targets(report)
    .filter((target) => !target.met)
    .map((target) => target.what);
  for (const model of report.models) {
    const raw = model.points.raw ?? [];
    const ours = model.points.ours ?? [];
    const at = ours.find((p) => p.clients >= 4);
    const r = at && pointAt(raw, at.clients);
    const missedHere = missed.filter((what) => what.startsWith(`${model.title}, `) && !what.includes('p50'));
    if (!at || !r || missedHere.length === 0) continue;
    const oursCpu = at.cpuMsPerRequest.total ?? 0;
    const rawCpu = r.cpuMsPerRequest.total ?? 0;
    const extra = Object.entries(at.cpuMsPerRequest)
      .filter(([name]) => name !== 'total' && name !== 'worker')
      .map(([name, ms]) => `${name} ${f(ms)}`)
      .join(', ');
    const api = at.cpuMsPerRequest.api ?? 0;
    const redis = at.cpuMsPerRequest.redis ?? 0;
    const workerBeyond = (at.cpuMsPerRequest.worker ?? 0) - rawCpu;
    lines.push(
      `- **${model.title}**, ${at.clients} clients: the raw pipeline spends ${f(rawCpu)} CPU-ms per image, ours ${f(oursCpu)} (${extra}, worker ${f(at.cpuMsPerRequest.worker ?? 0)}): ${f(oursCpu - rawCpu)} more, of which the API ${f(api)} (receiving the upload, storing it, answering), Redis ${f(redis)} (the image in, to the AOF and out again, beside the scripts rather than through Lua) and the worker ${f(workerBeyond)} beyond the raw pipeline. Every system here is CPU-bound on ${cores} cores, so that caps ours near ${f((cores * 1000) / oursCpu, 0)} images/s and raw near ${f((cores * 1000) / rawCpu, 0)} (measured ${f(at.perSecond)} and ${f(r.perSecond)}): the cheaper the model, the larger the share of the overhead. On a GPU worker the model leaves the CPU and this overhead is what remains (see the scale-out).${peerText(model, at, missedHere)}`,
    );
  }
  const wake = report.wake;
  const lone = report.models.filter(
    (model) => missed.includes(`${model.title}, 1 client: p50 <= raw + 5 ms`) && pointAt(model.points.raw, 1),
  );
  if (wake && lone.length > 0) {
    const gaps = lone.map((model) => {
      const o = pointAt(model.points.ours, 1) as LoadPoint;
      const r = pointAt(model.points.raw, 1) as LoadPoint;
      return `${model.title}: ours ${f(o.p50Ms)} ms, raw ${f(r.p50Ms)}, ${f(o.p50Ms - r.p50Ms)} more`;
    });
    lines.push(
      `- **p50 at 1 client** (${gaps.join('; ')}): a lone job wakes a sleeping process at every hop, in sequence: the API, Redis for the record and again for BullMQ's add, the worker, Redis for the pick, the start and the result, the API on the result's event, Redis for the record, the client: about ${HOPS}. On this machine a Redis PING takes ${f(wake.busyMs, 2)} ms back to back but ${f(wake.afterIdleMs, 2)} ms after Redis sat idle for ${f(wake.idleMs, 0)} ms (a virtual CPU halted and woken), so the hops alone cost about ${f(HOPS * wake.afterIdleMs)} ms before any work; the rest is the work on the way, one process after another (the upload received and stored, the image read back, the answer read and sent). The raw pipeline makes none of these hops. Under load (4 clients and more) the processes stay awake and the gap is CPU, above.`,
    );
  }
  for (const { model, tuned, off, met } of batchingPairs(report.batching)) {
    if (met) continue;
    lines.push(
      `- **${model}, tuned batching below batching off** (${f(tuned.imagesPerSecond)} against ${f(off.imagesPerSecond)} images/s; rounds ${tuned.roundsPerSecond.map((v) => f(v)).join(', ')} against ${off.roundsPerSecond.map((v) => f(v)).join(', ')}): the tuner chose a cap of ${tuned.metricLimit ?? '–'} and ran ${f(tuned.meanBatchSize, 2)} images per batch. ${tuned.meanBatchSize <= 1.05 ? 'It ran what batching off runs, so the difference is between runs of the same thing: the host, not the choice.' : 'A batch larger than 1 measured faster per image at its calibration and in the batches since, and was slower in this load.'}`,
    );
  }
  const t = report.tiny;
  if (t && t.jobsPerSecond < 600) {
    const total = t.cpuMsPerJob.total ?? 0;
    lines.push(
      `- **Tiny jobs, 600 jobs/s**: ${f(total, 2)} CPU-ms per job over every process caps ${cores} cores at about ${f((cores * 1000) / total, 0)} jobs/s; the raw pipeline alone (decoding a PNG and resizing it to 224x224 with sharp, then inference, 2 clients) spends ${f(t.rawCpuMsPerJob, 2)} per job, a ceiling of ${f((cores * 1000) / t.rawCpuMsPerJob, 0)}/s with no queue at all${preprocessText(t)}. So 600 jobs/s is out of reach here whatever the queue costs.`,
    );
  }
  const apiProfile = t?.profiles?.api;
  if (t && (t.cpuMsPerJob.api ?? 0) > 0.7 && apiProfile) {
    lines.push(
      `- **API CPU per tiny job** (${f(t.cpuMsPerJob.api ?? 0, 2)} ms, target 0.7): with \`Prefer: wait\` the API does ${f((t.cpuMsPerJob.api ?? 0) / (report.enqueue?.apiCpuMsPerSubmission ?? Number.NaN), 1)} times the work of a bare submission (${f(report.enqueue?.apiCpuMsPerSubmission ?? Number.NaN, 2)} ms, below): it receives and stores the upload, then holds the request open, is woken by the job's terminal event, reads the record back and sends the answer. ${profileText(apiProfile)}`,
    );
  }
  const e = report.enqueue;
  const enqueueProfile = e?.profiles?.api;
  if (e && e.submissionsPerSecond < 3000 && enqueueProfile) {
    lines.push(
      `- **Enqueue only, 3,000 submissions/s**: one API process is one event loop on one core, so its ceiling is 1000 / CPU-ms per submission: ${f(1000 / e.apiCpuMsPerSubmission, 0)}/s at ${f(e.apiCpuMsPerSubmission, 2)} ms, measured ${f(e.submissionsPerSecond, 0)}/s while autocannon and Redis share the other core. 3,000/s needs 0.33 ms per submission. ${profileText(enqueueProfile)}`,
    );
  }
  return lines;
}

/**
 * Each model's tuned row beside its batching-off row, how far its rounds drifted (roundNoise)
 * and whether the tuned cap held: not below batching off by more than that drift.
 */
function batchingPairs(
  batching: BatchingResult | undefined,
): { model: string; tuned: BatchingRow; off: BatchingRow; ratio: number; noise: number; met: boolean }[] {
  const rows = batching?.rows ?? [];
  return [...new Set(rows.map((row) => row.model))].flatMap((key) => {
    const own = rows.filter((row) => row.model === key);
    const tuned = own.find((row) => row.config === 'tuned');
    const off = own.find((row) => row.config === 'batch 1');
    if (!tuned || !off) return [];
    const ratio = tuned.imagesPerSecond / off.imagesPerSecond;
    const noise = roundNoise(own);
    return [{ model: tuned.title, tuned, off, ratio, noise, met: ratio >= 1 - noise }];
  });
}

/** The batching table: each model under each batch setting, and the cap the tuner chose. */
function batchingSection(b: BatchingResult): string[] {
  const lines = ['## Batching that tunes itself', ''];
  lines.push(
    `Ours with each batch setting, ${b.clients} closed-loop clients, ${b.image}; the three systems of a model run in turns, ${b.rounds} rounds each, each round starting with the next setting, so that a shared host's drift falls on all alike (images/s, p50 and CPU are means over the rounds; the drift is half the range of one setting's rounds over their mean, averaged over the settings, and a difference smaller than it is the host, not the setting). The tuner times batch sizes 1, 2, 4 and 8 at warm-up, keeps the timings current from real batches and picks the size with the most images/s within \`BATCH_LATENCY_BUDGET_MS\` (of sizes within 5 % of the best, the smallest). The cap is read at the end from the worker's \`worker_batch_size_limit\` and from \`GET /v1/models\` (\`batch_size_limit\`, as of the last heartbeat).`,
    '',
    '| model | setting | images/s | each round | p50 ms | CPU-ms/image | images per batch | cap: metric / `/v1/models` |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | --- |',
  );
  for (const row of b.rows) {
    const title = BATCH_CONFIGS.find((config) => config.config === row.config)?.title ?? row.config;
    lines.push(
      `| ${row.title} | ${title} | ${f(row.imagesPerSecond)} | ${row.roundsPerSecond.map((v) => f(v)).join(', ')} | ${f(row.p50Ms)} | ${f(row.cpuMsPerImage)} | ${f(row.meanBatchSize, 2)} | ${row.metricLimit ?? '–'} / ${row.modelsApiLimit ?? '–'} |`,
    );
  }
  lines.push('');
  return lines;
}

/** The profile of one process in a sentence: what its main thread was busy with, by area. */
function profileText(profile: ProfileSummary): string {
  const ours =
    profile.oursPercent ??
    profile.areas.filter((line) => line.fn.startsWith('ours:')).reduce((sum, l) => sum + l.percentOfBusy, 0);
  const areas = profile.areas
    .slice(0, 6)
    .map((line) => `${line.fn} ${f(line.percentOfBusy, 0)} %`)
    .join(', ');
  return `Its profile (the tables above, ${f(profile.busyMsPerJob, 2)} ms of main-thread time per job under the profiler): ${areas}; our own code is ${f(ours, 0)} % of it. The rest is the cost per request of the HTTP server, the Redis client and the runtime themselves (parsing, routing, encoding commands, socket writes, garbage collection), which no change inside our handlers removes.`;
}

/** Why ours is not twice the seed-style peer on this model, when it is not. */
function peerText(model: ModelResult, at: LoadPoint, missedHere: string[]): string {
  const peer = pointAt(model.points.peer, at.clients);
  if (!peer || !missedHere.some((what) => what.includes('seed-style peer'))) return '';
  return ` The seed-style peer runs PyTorch in the process that answers HTTP, with no queue and no second hop: ${f(peer.cpuMsPerRequest.total ?? 0)} CPU-ms per image at ${clientsText(at.clients)} against ours ${f(at.cpuMsPerRequest.total ?? 0)}. On a model this cheap the queue's fixed cost per image outweighs what batching and onnxruntime save; on the larger models ours is well past 2x the peer.`;
}

/** Where each profiled process's main thread spends its busy time: by area and by function. */
function profileTables(profiles: Record<string, ProfileSummary> | undefined, load: string): string[] {
  const lines: string[] = [];
  for (const [name, profile] of Object.entries(profiles ?? {})) {
    lines.push(
      `Where the ${name}'s main thread spends its busy time under ${load} (\`node --cpu-prof\` in a separate run of the same load, self time, only the samples of the measured stretch, so start-up and module loading do not count; ${f(profile.busyMsPerJob, 2)} ms of main-thread time per job, slowed by the profiler and without the process's other threads, so not the CPU figure above):`,
      '',
      '| share | by package or area | share | by function |',
      '| ---: | --- | ---: | --- |',
      ...Array.from({ length: Math.max(profile.areas.length, profile.functions.length) }, (_, i) => {
        const a = profile.areas[i];
        const fn = profile.functions[i];
        return `| ${a ? `${f(a.percentOfBusy)} %` : ''} | ${a?.fn ?? ''} | ${fn ? `${f(fn.percentOfBusy)} %` : ''} | ${fn ? `\`${fn.fn}\`` : ''} |`;
      }),
      '',
    );
  }
  return lines;
}

/** A line chart of images/s against clients, one line per system. */
export function throughputSvg(model: ModelResult): string {
  const colours: Record<string, string> = { raw: '#777777', ours: '#1f77b4', peer: '#d62728' };
  const clients = [...new Set(Object.values(model.points).flatMap((points) => points.map((p) => p.clients)))].sort(
    (a, b) => a - b,
  );
  return lineChartSvg({
    width: 520,
    height: 300,
    title: `${model.title}: images/s of raw, ours and the peer by concurrent clients`,
    heading: `${model.title}: images/s by concurrent clients`,
    subtitle: model.image,
    xLabel: 'clients (closed loop)',
    xTicks: clients,
    // Client counts grow by factors: evenly spaced, not to scale.
    xFraction: (c) => clients.indexOf(c) / Math.max(1, clients.length - 1),
    headroom: 1.1,
    yDigits: (v) => (v < 10 ? 1 : 0),
    series: Object.entries(model.points).map(([system, points]) => ({
      name: system,
      colour: colours[system] ?? '#000',
      points: points.map((p) => ({ x: p.clients, y: p.perSecond })),
      dots: true,
    })),
  });
}

/** Jobs/s against worker processes, with the linear line the stand-in allows. */
export function scaleOutSvg(result: ScaleOutResult): string {
  const workers = result.points.map((p) => p.workers);
  const maxX = Math.max(...workers);
  return lineChartSvg({
    width: 640,
    height: 320,
    title: 'Scale-out: jobs/s by worker processes with a GPU stand-in, against linear',
    heading: 'Scale-out: jobs/s by worker processes (GPU stand-in)',
    subtitle: `${result.batchMs} ms per batch of up to ${result.maxBatchSize}, no CPU; tiny jobs, 8 clients per worker`,
    xLabel: 'worker processes',
    xTicks: workers,
    xFraction: (w) => w / maxX,
    headroom: 1.05,
    yDigits: () => 0,
    series: [
      {
        name: 'ours',
        colour: '#1f77b4',
        points: result.points.map((p) => ({ x: p.workers, y: p.jobsPerSecond })),
        dots: true,
      },
      {
        name: 'linear',
        colour: '#999',
        points: result.points.map((p) => ({ x: p.workers, y: p.linearJobsPerSecond })),
        dashed: true,
      },
    ],
  });
}

export function markdown(report: BenchReport, charts: Record<string, string>): string {
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(
    `Generated by \`pnpm bench${report.mode === 'full' ? ' --full' : ''}\` on ${report.startedAt} (${report.mode} mode); the raw figures are in [benchmarks.json](benchmarks.json). Every figure comes from this one run on this machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, ${report.machine.kernel}. Closed-loop clients on 127.0.0.1; CPU is user + system time of every process involved (from /proc), per image.`,
    '',
  );
  lines.push(
    "- **raw**: the worker's own sharp preprocessing and onnxruntime-node session (in its inference thread) called in-process, no HTTP, no Redis: the limit.",
    '- **ours**: API + Redis (AOF) + one worker process as shipped (defaults), `POST /v1/jobs` with the image as the body and `Prefer: wait`. CPU counts the API, the worker and Redis.',
    "- **peer**: the seed-style deployment, FastAPI + uvicorn + PyTorch (`tools/bench-peer/peer.py`), synchronous, one process, the same networks and weights (its PIL bilinear resize is not sharp's lanczos3, so a random-weight network's top label can differ).",
    '',
  );
  for (const model of report.models) {
    lines.push(`## ${model.title}`, '');
    lines.push(
      `Image: ${model.image}. Top label from each system: ${Object.entries(model.labels)
        .map(([s, l]) => `${s} \`${l}\``)
        .join(', ')}.`,
      '',
    );
    if (charts[model.key]) lines.push(`![${model.title}](${charts[model.key]})`, '');
    lines.push(
      '| system | clients | images/s | p50 ms | p99 ms | CPU-ms/image (total) | CPU-ms/image by process | RSS MiB |',
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
    for (const [system, points] of Object.entries(model.points)) {
      for (const p of points) {
        const by = Object.entries(p.cpuMsPerRequest)
          .filter(([n]) => n !== 'total')
          .map(([n, v]) => `${n} ${f(v)}`)
          .join(', ');
        const rss = Object.entries(p.rssMiB)
          .map(([n, v]) => `${n} ${f(v, 0)}`)
          .join(', ');
        lines.push(
          `| ${system} | ${p.clients} | ${f(p.perSecond)} | ${f(p.p50Ms)} | ${f(p.p99Ms)} | ${f(p.cpuMsPerRequest.total ?? 0)} | ${by} | ${rss} |`,
        );
      }
    }
    lines.push('');
  }
  if (report.batching) lines.push(...batchingSection(report.batching));
  const e = report.enqueue;
  if (e) {
    lines.push('## Submissions with no worker running', '');
    lines.push(
      `autocannon, ${e.connections} connections for ${f(e.seconds, 0)} s, \`POST /v1/jobs\` with a 64x64 PNG body against one API process: **${f(e.submissionsPerSecond, 0)} submissions/s**, p50 ${f(e.p50Ms)} ms, p99 ${f(e.p99Ms)} ms, ${e.errors} errors; API ${f(e.apiCpuMsPerSubmission, 2)} CPU-ms and Redis ${f(e.redisCpuMsPerSubmission, 2)} CPU-ms per submission; Redis memory ${f(e.redisBytesPerQueuedJob / 1024, 1)} KiB per queued job (record, image bytes, BullMQ job, indexes).`,
      '',
      ...profileTables(e.profiles, 'this load'),
    );
  }
  const t = report.tiny;
  if (t) {
    lines.push('## Tiny jobs end to end', '');
    lines.push(
      `64x64 PNG, reference model, ${t.clients} clients, \`Prefer: wait\`: **${f(t.jobsPerSecond, 0)} jobs/s**, p50 ${f(t.p50Ms)} ms. CPU-ms per job: ${Object.entries(
        t.cpuMsPerJob,
      )
        .map(([n, v]) => `${n} ${f(v, 2)}`)
        .join(
          ', ',
        )}; the raw pipeline spends ${f(t.rawCpuMsPerJob, 2)} CPU-ms on the same image, so the worker spends ${f((t.cpuMsPerJob.worker ?? 0) - t.rawCpuMsPerJob, 2)} CPU-ms per job beyond the raw pipeline.`,
      '',
    );
    lines.push(...profileTables(t.profiles, 'this load'));
  }
  const so = report.scaleOut;
  if (so) {
    lines.push('## Scale-out with a GPU stand-in', '');
    lines.push(
      `One API, one Redis and 1 to ${Math.max(...so.points.map((p) => p.workers))} worker processes whose model is the stand-in (\`STAND_IN_BATCH_MS=${so.batchMs}\`, \`MAX_BATCH_SIZE=${so.maxBatchSize}\`): each batch waits ${so.batchMs} ms and uses no CPU, as a GPU would leave the CPU free, so what limits throughput is everything but the model. Tiny jobs, 8 closed-loop clients per worker; linear is workers x ${so.maxBatchSize} / ${so.batchMs} ms.`,
      '',
    );
    if (charts.scaleOut) lines.push(`![Scale-out](${charts.scaleOut})`, '');
    lines.push(
      '| workers | jobs/s | linear | of linear | p50 ms | Redis ops/s | CPU-ms/job |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const p of so.points) {
      lines.push(
        `| ${p.workers} | ${f(p.jobsPerSecond, 0)} | ${f(p.linearJobsPerSecond, 0)} | ${f((p.jobsPerSecond / p.linearJobsPerSecond) * 100, 0)} % | ${f(p.p50Ms, 0)} | ${f(p.redisOpsPerSecond, 0)} | ${f(p.cpuMsPerJob, 2)} |`,
      );
    }
    const bend = knee(so);
    lines.push(
      '',
      bend
        ? `The knee: at ${bend.workers} workers throughput falls below 80 % of linear (${f(bend.jobsPerSecond, 0)} of ${f(bend.linearJobsPerSecond, 0)} jobs/s), with Redis at ${f(bend.redisOpsPerSecond, 0)} ops/s. At ${f(bend.cpuMsPerJob, 2)} CPU-ms per job (API, Redis, workers: decoding included) these ${report.machine.cores} cores can carry about ${f(((report.machine.cores as number) * 1000) / bend.cpuMsPerJob, 0)} jobs/s: the machine's CPU, not Redis (one core at most), is what bends the line.`
        : 'No knee within these worker counts: throughput stayed within 80 % of linear.',
      '',
    );
  }
  const c = report.cache;
  if (c) {
    const uncached = pointAt(report.models.find((m) => m.key === c.model)?.points.ours, 1);
    lines.push('## Result cache (opt-in)', '');
    lines.push(
      `\`RESULT_CACHE_TTL_SECONDS=600\`, ${c.title}, ${c.image}, one client sending the same bytes: the first job (a miss, decoded and inferred) took ${f(c.missMs)} ms; the hits after it ${f(c.hitsPerSecond)} jobs/s, **p50 ${f(c.hitP50Ms)} ms**, p99 ${f(c.hitP99Ms)} ms, ${f(c.hitCpuMs)} CPU-ms each${uncached ? `, against p50 ${f(uncached.p50Ms)} ms and ${f(uncached.cpuMsPerRequest.total ?? 0)} CPU-ms per job with the cache off (ours, 1 client, above)` : ''}. A hit still travels the queue (upload, Redis, a worker, the answer): what it saves is the decode and the inference.`,
      '',
    );
  }
  lines.push('## Targets', '');
  lines.push('| target | this run | met |', '| --- | ---: | :---: |');
  const checked = targets(report);
  for (const target of checked) lines.push(`| ${target.what} | ${target.figure} | ${target.met ? 'yes' : '**no**'} |`);
  lines.push('');
  if (checked.some((target) => !target.met)) lines.push(...whyMissed(report), '');
  lines.push('## Other benchmarks', '');
  lines.push(
    '`pnpm bench:worker` measures one worker process with batching off and on against raw `session.run()` on the same batch sizes, and `pnpm bench:latency` the cost of the queue for sequential jobs on an idle system; both print their tables and write `.bench/worker.md` and `.bench/latency.md`.',
    '',
  );
  return lines.join('\n');
}
