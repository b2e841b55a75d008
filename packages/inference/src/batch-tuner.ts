/**
 * Picks the batch size cap of one model version on the hardware it runs on: the batch size
 * with the most images per second among those whose batch takes no longer than the latency
 * budget, and of sizes within 5 % of the best, the smallest (a larger batch that gains
 * nothing only adds latency). `MAX_BATCH_SIZE` and the model's own limit bound it.
 *
 * Its cost table (ms per batch, for each size) is seeded by a calibration at warm-up
 * (`calibrationSizes`: 1, 2, 4 … up to the bound) and then kept current by every real
 * batch (an exponentially weighted mean), so that the cap follows what the machine does
 * under load: decoders competing for the cores, a GPU shared with another process. Every
 * `retuneEvery` batches the cap is chosen again; when jobs were left waiting for the next
 * batch while the cap was full, the next batch may be one power of two larger (a probe),
 * so that sizes above the cap are measured again rather than trusted forever. Probes are
 * spaced (`probeEvery` batches at least): under a steady backlog every batch leaves jobs
 * waiting, and probing each time would make the cap a cap in name only.
 *
 * Batch size 1 is always a candidate, so the cap never loses to no batching on what it measured.
 */
export interface BatchTunerOptions {
  /** Upper bound: min(MAX_BATCH_SIZE, the model's max_batch_size or fixed batch dimension). */
  maxBatchSize: number;
  /** Longest a batch may take, ms; sizes over it are not chosen (size 1 always may be). */
  latencyBudgetMs: number;
  /** Real batches between two choices of the cap. */
  retuneEvery?: number;
  /** Weight of a new measurement in a size's mean. */
  smoothing?: number;
  /** Fewest batches between two probes above the cap (default: a fifth of retuneEvery). */
  probeEvery?: number;
}

/** Within this fraction of the best throughput, the smaller batch wins. */
const GOOD_ENOUGH = 0.95;

export interface BatchSizeChoice {
  limit: number;
  /** Images per second at each measured size, as the choice saw them. */
  imagesPerSecond: Record<number, number>;
}

export class BatchTuner {
  private readonly msBySize = new Map<number, number>();
  private readonly retuneEvery: number;
  private readonly smoothing: number;
  private readonly probeEvery: number;
  private batchesSinceChoice = 0;
  private batchesSinceProbe = 0;
  private backlogSeen = false;
  private current: number;

  private readonly options: BatchTunerOptions;

  constructor(options: BatchTunerOptions) {
    this.options = options;
    this.retuneEvery = options.retuneEvery ?? 50;
    this.smoothing = options.smoothing ?? 0.2;
    this.probeEvery = options.probeEvery ?? Math.max(1, Math.floor(this.retuneEvery / 5));
    this.current = Math.max(1, options.maxBatchSize);
  }

  /** Sizes to time at warm-up: powers of two up to the bound, and the bound itself. */
  calibrationSizes(): number[] {
    const sizes: number[] = [];
    for (let size = 1; size < this.options.maxBatchSize; size *= 2) sizes.push(size);
    sizes.push(Math.max(1, this.options.maxBatchSize));
    return sizes;
  }

  /** The cap batches are held to now. */
  get limit(): number {
    return this.current;
  }

  /**
   * The size the next batch may reach: the cap, or one probe step above it when batches
   * left images waiting, the bound allows and the last probe is `probeEvery` batches back.
   */
  nextBatchLimit(): number {
    if (!this.backlogSeen || this.current >= this.options.maxBatchSize) return this.current;
    if (this.batchesSinceProbe < this.probeEvery) return this.current;
    this.backlogSeen = false;
    this.batchesSinceProbe = 0;
    return Math.min(this.options.maxBatchSize, this.current * 2);
  }

  /**
   * A batch of `size` took `ms`; `waiting` images were queued for the next batch when it
   * ended (as many as the cap: demand may exceed it). Chooses the cap again every
   * `retuneEvery` batches; answers the cap.
   */
  record(size: number, ms: number, waiting = 0): number {
    const previous = this.msBySize.get(size);
    this.msBySize.set(size, previous === undefined ? ms : previous + this.smoothing * (ms - previous));
    if (waiting >= this.current) this.backlogSeen = true;
    this.batchesSinceProbe++;
    if (++this.batchesSinceChoice >= this.retuneEvery) this.choose();
    return this.current;
  }

  /** Choose the cap from the table now (after calibration; otherwise every `retuneEvery` batches). */
  choose(): BatchSizeChoice {
    this.batchesSinceChoice = 0;
    const imagesPerSecond: Record<number, number> = {};
    const eligible: number[] = [];
    for (const [size, ms] of this.msBySize) {
      if (size > this.options.maxBatchSize) continue;
      imagesPerSecond[size] = (size * 1000) / Math.max(ms, 1e-3);
      if (size === 1 || ms <= this.options.latencyBudgetMs) eligible.push(size);
    }
    eligible.sort((a, b) => a - b);
    const best = Math.max(0, ...eligible.map((size) => imagesPerSecond[size] as number));
    const chosen = eligible.find((size) => (imagesPerSecond[size] as number) >= best * GOOD_ENOUGH);
    if (chosen !== undefined) this.current = chosen;
    return { limit: this.current, imagesPerSecond };
  }
}
