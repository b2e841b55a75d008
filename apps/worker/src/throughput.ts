/**
 * Jobs finished per second, per model, over a sliding window (one bucket a
 * second): what the worker's heartbeat reports, and the API turns into an
 * estimated wait (`eta_ms`) and a model's throughput in `/v1/models`.
 */
export class ThroughputWindow {
  private readonly buckets = new Map<string, Map<number, number>>();

  private readonly windowSeconds: number;
  /** When counting began (epoch ms): a window younger than its length divides by its age. */
  private readonly since;

  constructor(windowSeconds = 60, since = Date.now()) {
    this.windowSeconds = windowSeconds;
    this.since = since;
  }

  record(model: string, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    const counts = this.buckets.get(model) ?? new Map<number, number>();
    counts.set(second, (counts.get(second) ?? 0) + 1);
    this.buckets.set(model, counts);
  }

  /** Per model: finished jobs in the window over its length (or the time since start, if shorter). */
  rates(now = Date.now()): Record<string, number> {
    const oldest = Math.floor(now / 1000) - this.windowSeconds;
    const seconds = Math.max(1, Math.min(this.windowSeconds, (now - this.since) / 1000));
    const rates: Record<string, number> = {};
    for (const [model, counts] of this.buckets) {
      let total = 0;
      for (const [second, count] of counts) {
        if (second <= oldest) counts.delete(second);
        else total += count;
      }
      rates[model] = Math.round((total / seconds) * 1000) / 1000;
    }
    return rates;
  }
}
