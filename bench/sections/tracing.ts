import path from 'node:path';
import { OtlpReceiver } from '../../test/support/otlp-receiver.ts';
import { ROOT } from '../../test/support/processes.ts';
import { closedLoop, type LoadPoint } from '../lib/load.ts';
import { type BenchModel, startOurs } from '../lib/systems.ts';
import { MODELS, SECONDS } from '../options.ts';
import type { TracingCostResult } from '../report/results.ts';

const CLIENTS = 8;

/** Tiny jobs end to end under the same load, one system with tracing off and one exporting every span. */
export async function tracingCost(tiny: Buffer): Promise<TracingCostResult> {
  // The repository's reference model: this section needs no exported model.
  const repository = path.join(ROOT, 'models');
  const measure = async (env: Record<string, string>): Promise<LoadPoint> => {
    const ours = await startOurs(repository, MODELS[0] as BenchModel, { env });
    try {
      return await closedLoop(() => ours.send(tiny).then(() => undefined), {
        clients: CLIENTS,
        seconds: SECONDS * 2,
        warmup: 10,
        pids: ours.pids,
      });
    } finally {
      await ours.close();
    }
  };
  const off = await measure({});
  // A collector stand-in in this process (not measured); the default protocol, http/protobuf, every span sampled.
  const collector = await OtlpReceiver.start();
  let on: LoadPoint;
  try {
    on = await measure({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
  } finally {
    await collector.close();
  }
  const result: TracingCostResult = {
    clients: CLIENTS,
    off: { jobsPerSecond: off.perSecond, p50Ms: off.p50Ms, cpuMsPerJob: off.cpuMsPerRequest },
    on: { jobsPerSecond: on.perSecond, p50Ms: on.p50Ms, cpuMsPerJob: on.cpuMsPerRequest },
    exportRequests: collector.posts.length,
  };
  const show = (point: LoadPoint) =>
    `${point.perSecond.toFixed(0)} jobs/s, CPU-ms/job ${Object.entries(point.cpuMsPerRequest)
      .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
      .join(', ')}`;
  console.log(`tracing off: ${show(off)}\ntracing on:  ${show(on)} (${collector.posts.length} OTLP exports)`);
  return result;
}
