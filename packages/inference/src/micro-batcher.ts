/**
 * Dynamic micro-batching in the spirit of Triton's dynamic batcher: items for the
 * same model are gathered for up to `windowMs` or `maxBatchSize`, whichever comes
 * first, and run as one batch. One batch per model is in flight at a time; items
 * arriving meanwhile form the next batch, which starts as soon as the current one
 * ends (they have already waited).
 *
 * Unlike a dynamic batcher in a separate server, this one knows what is on its
 * way: callers announce an item with `expect()` before its (slow) preprocessing.
 * With `flushWhenNothingExpected`, a batch does not wait out the window when no
 * announced item is still coming: a lone job on an idle worker runs at once, while
 * under load the window gathers the jobs being decoded.
 */
export interface BatchOutcome<R> {
  output: R;
  batchSize: number;
  /** Wall time of the batch this item ran in. */
  batchMs: number;
}

interface Item<T, R> {
  input: T;
  resolve: (outcome: BatchOutcome<R>) => void;
  reject: (error: Error) => void;
  cleanup?: () => void;
}

interface Lane<T, R> {
  items: Item<T, R>[];
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** Items in the running batch. */
  inFlight: number;
  /** Items announced with expect() and not yet submitted (or given up). */
  expected: number;
  maxBatchSize: number;
}

export type RunBatch<T, R> = (key: string, inputs: T[]) => Promise<R[]>;

/** A batch size cap per key that changes as batches run (BatchTuner, through ModelServer). */
export interface BatchLimits {
  /** The size at which a forming batch is full. */
  limit(key: string): number;
  /** The cap of the batch about to start (it may probe above `limit`). */
  next(key: string): number;
  /** A batch ran: its size, its wall time and how many items were queued for the next one when it ended. */
  ran(key: string, size: number, ms: number, waiting: number): void;
}

export interface MicroBatcherOptions {
  windowMs: number;
  maxBatchSize: number;
  /** Start a batch at once when no expect()ed item is still on its way (see the class comment). */
  flushWhenNothingExpected?: boolean;
  /** Caps below maxBatchSize chosen as batches run; without, every batch may reach maxBatchSize. */
  limits?: BatchLimits;
  onBatch?: (key: string, size: number, ms: number) => void;
}

export class MicroBatcher<T, R> {
  private readonly lanes = new Map<string, Lane<T, R>>();
  private readonly idle = new Set<() => void>();
  private closedWith: Error | undefined;

  private readonly runBatch: RunBatch<T, R>;
  private readonly options: MicroBatcherOptions;

  constructor(runBatch: RunBatch<T, R>, options: MicroBatcherOptions) {
    this.runBatch = runBatch;
    this.options = options;
  }

  private lane(key: string, maxBatchSize: number): Lane<T, R> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { items: [], timer: undefined, running: false, inFlight: 0, expected: 0, maxBatchSize };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /**
   * Announce an item that will be submitted for `key` soon. Call the returned
   * function (idempotent) right after submitting it, or when it will not come.
   */
  expect(key: string, maxBatchSize = this.options.maxBatchSize): () => void {
    const lane = this.lane(key, maxBatchSize);
    lane.expected++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      lane.expected--;
      this.schedule(key, lane);
    };
  }

  /**
   * Queue one item. A `signal` aborted before its batch starts removes the item
   * (a timed-out job must not cost an inference); once running it completes.
   */
  submit(
    key: string,
    input: T,
    maxBatchSize = this.options.maxBatchSize,
    signal?: AbortSignal,
  ): Promise<BatchOutcome<R>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const current = this.lane(key, maxBatchSize);
    return new Promise((resolve, reject) => {
      const item: Item<T, R> = { input, resolve, reject };
      if (signal) {
        const onAbort = () => {
          const index = current.items.indexOf(item);
          if (index < 0) return; // already running: let it finish
          current.items.splice(index, 1);
          reject(abortReason(signal));
          this.notifyIfIdle();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        item.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      current.items.push(item);
      this.schedule(key, current);
    });
  }

  /**
   * Stop taking items and reject those not yet running with `error` (shutdown:
   * their jobs go back to the queue); running batches finish normally.
   */
  close(error: Error): void {
    this.closedWith = error;
    for (const lane of this.lanes.values()) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
      for (const item of lane.items.splice(0)) {
        item.cleanup?.();
        item.reject(error);
      }
    }
    this.notifyIfIdle();
  }

  /** Items queued or running, over all models. */
  get size(): number {
    let total = 0;
    for (const lane of this.lanes.values()) total += lane.items.length + lane.inFlight;
    return total;
  }

  /** Resolves once no batch is queued or running. */
  drained(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private schedule(key: string, lane: Lane<T, R>): void {
    if (lane.running || lane.items.length === 0) return;
    const limit = Math.min(lane.maxBatchSize, this.options.maxBatchSize, this.options.limits?.limit(key) ?? Infinity);
    const nothingComing = this.options.flushWhenNothingExpected === true && lane.expected === 0;
    if (lane.items.length >= limit || this.options.windowMs === 0 || nothingComing) {
      this.flush(key, lane);
    } else if (!lane.timer) {
      lane.timer = setTimeout(() => this.flush(key, lane), this.options.windowMs);
    }
  }

  private flush(key: string, lane: Lane<T, R>): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    if (lane.running || lane.items.length === 0) return;
    const limit = Math.min(lane.maxBatchSize, this.options.maxBatchSize, this.options.limits?.next(key) ?? Infinity);
    const batch = lane.items.splice(0, limit);
    for (const item of batch) item.cleanup?.();
    lane.running = true;
    lane.inFlight = batch.length;
    const started = performance.now();
    this.runBatch(
      key,
      batch.map((item) => item.input),
    )
      .then((outputs) => {
        const batchMs = performance.now() - started;
        this.options.limits?.ran(key, batch.length, batchMs, lane.items.length);
        this.options.onBatch?.(key, batch.length, batchMs);
        for (const [i, item] of batch.entries())
          item.resolve({ output: outputs[i] as R, batchSize: batch.length, batchMs });
      })
      .catch((error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const item of batch) item.reject(failure);
      })
      .finally(() => {
        lane.running = false;
        lane.inFlight = 0;
        // Items that arrived while this batch ran have waited long enough.
        if (lane.items.length > 0) this.flush(key, lane);
        else this.notifyIfIdle();
      });
  }

  private notifyIfIdle(): void {
    if (this.size > 0) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
