import type { LoadPoint } from '../lib/load.ts';
import type { ProfileSummary } from '../lib/profile.ts';
import { clientsText, f, pointAt } from './format.ts';
import type { BenchReport, ModelResult, TinyJobsResult } from './results.ts';
import { batchingPairs, targets } from './targets.ts';

/** Wake-ups in sequence on the way of a lone job (see whyMissed). */
const HOPS = 10;

/**
 * Why the missed targets are missed, from this run's own figures: on a machine with this
 * few cores every system is CPU-bound, so a system's ceiling is cores / CPU per image, and
 * what ours spends beyond the raw pipeline (HTTP, Redis, the queue) is what it loses.
 */
export function whyMissed(report: BenchReport): string[] {
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

/** What the raw pipeline's preprocessing costs, one call at a time, when the run measured it. */
function preprocessText(t: TinyJobsResult): string {
  const p = t.rawPreprocess;
  if (!p) return '';
  return `; measured one call at a time in the bench process, decoding the 64x64 PNG alone takes ${f(p.decodeCpuMs, 2)} CPU-ms and decoding it and enlarging it to ${p.width}x${p.height} ${f(p.decodeAndResizeCpuMs, 2)}, so the enlargement is most of it: libvips enlarges with \`vips_affine\` and a bicubic interpolator, where it shrinks with its fast \`vips_reduce\``;
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
