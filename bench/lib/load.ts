import { CpuMeter, quantile, rssMiB } from './proc.ts';
import { profileClockUs } from './profile.ts';

export interface LoadPoint {
  clients: number;
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU-ms per request of each process measured, and their sum. */
  cpuMsPerRequest: Record<string, number>;
  rssMiB: Record<string, number>;
  /** The measured stretch (after warm-up) on the profile clock (`profileClockUs`), to select CPU profile samples. */
  measuredUs: { fromUs: number; toUs: number };
}

/**
 * Closed loop: `clients` callers, each sending its next request when the previous one is
 * answered, for `seconds` after `warmup` requests per client (not counted).
 */
export async function closedLoop(
  send: () => Promise<void>,
  options: {
    clients: number;
    seconds: number;
    warmup: number;
    pids: Record<string, number>;
    /** Called between the warm-up and the measured stretch (to read counters the caller measures itself). */
    beforeMeasuring?: () => Promise<void>;
  },
): Promise<LoadPoint> {
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      for (let i = 0; i < options.warmup; i++) await send();
    }),
  );
  await options.beforeMeasuring?.();
  const latencies: number[] = [];
  const meter = new CpuMeter(options.pids);
  const fromUs = profileClockUs();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < deadline) {
        const at = performance.now();
        await send();
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const toUs = profileClockUs();
  const cpu = meter.read();
  const perRequest = Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, ms / latencies.length]));
  perRequest.total = Object.values(cpu).reduce((a, b) => a + b, 0) / latencies.length;
  return {
    clients: options.clients,
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuMsPerRequest: perRequest,
    rssMiB: Object.fromEntries(Object.entries(options.pids).map(([name, pid]) => [name, rssMiB(pid)])),
    measuredUs: { fromUs, toUs },
  };
}
