import { type ModelConfig, type Prediction, UnknownModelError } from '@infer/contracts';
import { type ModelEntry, modelFile, newestVersion } from '@infer/model-repository';
import { recordSpan } from '@infer/telemetry';
import { type BatchSizeChoice, BatchTuner } from './batch-tuner.ts';
import type { ExecutionProvider, SessionSettings } from './inference-protocol.ts';
import { InferenceRunner } from './inference-runner.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { modelOfVersionKey, modelVersionKey } from './model-version.ts';
import { toPredictions } from './postprocess.ts';
import { tensorLength, writeTensor } from './preprocess.ts';

export interface BatchingOptions {
  windowMs: number;
  /** The bound of every batch; with `tuning`, each model version's cap is chosen below it. */
  maxBatchSize: number;
  /** Batch size caps chosen per model version on this hardware (BatchTuner); off: every batch may reach the bound. */
  tuning?: { latencyBudgetMs: number; retuneEvery?: number };
  /** Called when a model version's cap is chosen (calibration) or changes (as batches run). */
  onBatchLimit?: (key: string, limit: number, choice?: BatchSizeChoice) => void;
  /** Called after every batch with the model version's `name@version` key (see model-version.ts). */
  onBatch?: (key: string, size: number, ms: number) => void;
}

export interface InferenceOutcome {
  predictions: Prediction[];
  modelVersion: string;
  provider: ExecutionProvider;
  batchSize: number;
  inferenceMs: number;
}

export interface ServedVersion {
  entry: ModelEntry;
  version: string;
  provider: ExecutionProvider;
  /** Largest batch this version takes: model.json's max_batch_size, or the graph's fixed batch dimension. */
  maxBatchSize: number;
  /** Set when the graph's batch dimension is a fixed number: smaller batches are padded to it. */
  fixedBatchSize: number | null;
  /** Chooses this version's batch size cap as it runs (with BatchingOptions.tuning). */
  tuner?: BatchTuner;
}

/**
 * One image for a batch: its decoded pixels (decodeImage: 8-bit HWC RGB at the model's
 * size), written into the batch tensor as the batch forms, or a tensor already built
 * (preprocessImage), copied in.
 */
export type BatchImage = Uint8Array | Float32Array;

export interface ServerHooks {
  onWarning?: (message: string) => void;
  /** Off: no warm-up or calibration runs at load (WARMUP=false). */
  warmUp?: boolean;
}

/** Rejects work once the server is closing: the caller hands its job back to the queue. */
export class ServerClosingError extends Error {
  override name = 'ServerClosingError';
}

/**
 * The models one worker serves: one ONNX session per model version, behind a dynamic
 * micro-batcher, run off the main thread. Versions load (loadVersion) and unload
 * (unloadVersion) while it serves: the repository poller in apps/worker drives them.
 */
export class ModelServer {
  private readonly served = new Map<string, ServedVersion>();
  private readonly batcher: MicroBatcher<BatchImage, Float32Array>;

  private readonly models: Map<string, ModelEntry>;
  private readonly runner: InferenceRunner;
  private readonly batchBound: number;
  private readonly batching: BatchingOptions;
  private readonly settings: SessionSettings;
  private readonly hooks: ServerHooks;
  /** Versions being loaded, failed, being removed; jobs holding each version (acquire). */
  private readonly loading = new Map<string, Promise<void>>();
  private readonly failed = new Map<string, string>();
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly holders = new Map<string, number>();
  private readonly idleWaiters = new Map<string, (() => void)[]>();
  /** Versions being removed: when, and when a job last took one (acquire). */
  private readonly retiredAt = new Map<string, number>();
  private readonly lastUse = new Map<string, number>();
  private unloads = 0;
  private closing = false;

  private constructor(
    models: Map<string, ModelEntry>,
    runner: InferenceRunner,
    batching: BatchingOptions,
    settings: SessionSettings,
    hooks: ServerHooks,
  ) {
    this.models = models;
    this.runner = runner;
    this.batchBound = batching.maxBatchSize;
    this.batching = batching;
    this.settings = settings;
    this.hooks = hooks;
    this.batcher = new MicroBatcher((key, inputs) => this.runBatch(key, inputs), {
      flushWhenNothingExpected: true,
      ...batching,
      limits: batching.tuning ? this.tunedLimits(batching) : undefined,
    });
  }

  private tunedLimits(batching: BatchingOptions) {
    const tunerOf = (key: string) => this.served.get(key)?.tuner;
    return {
      limit: (key: string) => tunerOf(key)?.limit ?? batching.maxBatchSize,
      next: (key: string) => tunerOf(key)?.nextBatchLimit() ?? batching.maxBatchSize,
      ran: (key: string, size: number, ms: number, waiting: number) => {
        const tuner = tunerOf(key);
        if (!tuner) return;
        const before = tuner.limit;
        if (tuner.record(size, ms, waiting) !== before) batching.onBatchLimit?.(key, tuner.limit);
      },
    };
  }

  /** Load every version of every model, trying execution providers in order, then warm each up. */
  static async start(
    models: Map<string, ModelEntry>,
    settings: SessionSettings,
    batching: BatchingOptions,
    hooks: ServerHooks = {},
  ): Promise<ModelServer> {
    const runner = new InferenceRunner();
    const server = new ModelServer(models, runner, batching, settings, hooks);
    try {
      for (const entry of models.values()) {
        const versions = [...entry.versions];
        entry.versions.length = 0;
        for (const version of versions) {
          await server.loadSession(entry, version);
          entry.versions.push(version);
        }
      }
    } catch (error) {
      await runner.close();
      throw error;
    }
    return server;
  }

  /**
   * Load one version, run its load checks and warm-up, then serve it. A version that fails
   * is remembered with its error (failures()), its session released, and never served.
   * Loading a version already served or loading answers at once / with that load.
   */
  loadVersion(name: string, version: string): Promise<void> {
    const entry = this.models.get(name);
    if (!entry) return Promise.reject(new UnknownModelError(name, version));
    const key = modelVersionKey(name, version);
    if (entry.versions.includes(version)) return Promise.resolve();
    const running = this.loading.get(key);
    if (running) return running;
    const work = (async () => {
      // A retiring session of the same version (removed, then copied back) finishes first.
      await this.retiring.get(key);
      try {
        await this.loadSession(entry, version);
      } catch (error) {
        this.served.delete(key);
        this.failed.set(key, error instanceof Error ? error.message : String(error));
        await this.runner.unload(key).catch(() => undefined);
        throw error;
      }
      this.failed.delete(key);
      entry.versions.push(version);
      entry.versions.sort((a, b) => Number(a) - Number(b));
    })().finally(() => this.loading.delete(key));
    this.loading.set(key, work);
    return work;
  }

  /** Whether `name@version` is being loaded now (a job pinned to it may wait for it). */
  isLoading(name: string, version: string): Promise<void> | undefined {
    return this.loading.get(modelVersionKey(name, version));
  }

  /** One model's versions being loaded now, and those that failed with their reasons (the heartbeat reports both). */
  versionStates(name: string): { loading: string[]; failed: Record<string, string> } {
    const of = (keys: Iterable<string>) =>
      [...keys]
        .map(modelOfVersionKey)
        .filter((key) => key.name === name)
        .map((key) => key.version);
    return {
      loading: of(this.loading.keys()),
      failed: Object.fromEntries(
        [...this.failed].flatMap(([key, message]) => {
          const parsed = modelOfVersionKey(key);
          return parsed.name === name ? [[parsed.version, message]] : [];
        }),
      ),
    };
  }

  /** Versions that failed their load checks or warm-up, by `name@version`, with the reason. */
  failures(): Map<string, string> {
    return new Map(this.failed);
  }

  /** Forget a failed version (it was removed from the repository). */
  forgetFailure(name: string, version: string): void {
    this.failed.delete(modelVersionKey(name, version));
  }

  /**
   * Stop serving a version: unpinned jobs and jobs submitted from now on no longer get it;
   * jobs holding it (acquire) finish, and jobs submitted before still get it until none has
   * come for `quietMs`; then its session is released. Resolves once released.
   */
  unloadVersion(name: string, version: string, options: { quietMs?: number } = {}): Promise<void> {
    const entry = this.models.get(name);
    const key = modelVersionKey(name, version);
    const already = this.retiring.get(key);
    if (already) return already;
    if (!entry?.versions.includes(version)) return Promise.resolve();
    entry.versions.splice(entry.versions.indexOf(version), 1);
    const retiredAt = Date.now();
    this.retiredAt.set(key, retiredAt);
    const quietMs = options.quietMs ?? 0;
    const work = (async () => {
      // Jobs submitted before the removal may still take it (acquire's submittedAt): release
      // it once none holds it and none has come for quietMs (a queue of them has drained).
      for (;;) {
        await this.idle(key);
        if (this.closing) return;
        const since = Date.now() - (this.lastUse.get(key) ?? retiredAt);
        if (since >= quietMs && (this.holders.get(key) ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, Math.max(10, quietMs - since)));
      }
      this.retiredAt.delete(key);
      this.lastUse.delete(key);
      await this.runner.unload(key);
      this.served.delete(key);
      this.unloads++;
    })().finally(() => this.retiring.delete(key));
    this.retiring.set(key, work);
    return work;
  }

  /** Sessions released since start (unloadVersion). */
  get unloadCount(): number {
    return this.unloads;
  }

  /** A version being removed, for a job that names it and was submitted before the removal. */
  private retiredFor(name: string, version: string | undefined, submittedAt: number | undefined) {
    if (version === undefined || submittedAt === undefined) return undefined;
    const key = modelVersionKey(name, version);
    const retiredAt = this.retiredAt.get(key);
    return retiredAt !== undefined && submittedAt < retiredAt ? this.served.get(key) : undefined;
  }

  private idle(key: string): Promise<void> {
    if ((this.holders.get(key) ?? 0) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.idleWaiters.get(key) ?? [];
      waiting.push(resolve);
      this.idleWaiters.set(key, waiting);
    });
  }

  /**
   * Take a served version for one job. A version being removed is given only to a job that
   * names it and was submitted (`submittedAt`, epoch ms) before the removal; it is released
   * once every job holding it called release() and none came for the unload's quiet time.
   */
  acquire(name: string, version?: string, submittedAt?: number): { served: ServedVersion; release: () => void } {
    const served = this.retiredFor(name, version, submittedAt) ?? this.resolve(name, version);
    const key = modelVersionKey(name, served.version);
    this.lastUse.set(key, Date.now());
    this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
    let released = false;
    return {
      served,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.holders.get(key) ?? 1) - 1;
        if (left > 0) {
          this.holders.set(key, left);
          return;
        }
        this.holders.delete(key);
        for (const resolve of this.idleWaiters.get(key) ?? []) resolve();
        this.idleWaiters.delete(key);
      },
    };
  }

  /** Open one session in the inference thread, check it against model.json and warm it up. */
  private async loadSession(entry: ModelEntry, version: string): Promise<void> {
    const { batching, settings, hooks, runner } = this;
    const { input, output } = entry.config;
    const inputDims = input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3];
    const key = modelVersionKey(entry.config.name, version);
    const loaded = await runner.load(
      {
        key,
        file: modelFile(entry, version),
        inputName: input.name,
        outputName: output.name,
        inputDims,
        outputSize: entry.config.labels.length,
      },
      settings,
    );
    for (const warning of loaded.warnings) hooks.onWarning?.(`${key}: ${warning}`);
    const fixed = loaded.fixedBatchSize;
    if (fixed !== null && fixed < Math.min(entry.config.max_batch_size, batching.maxBatchSize)) {
      hooks.onWarning?.(
        `${key}: the graph's batch dimension is fixed at ${fixed}; batches are capped at ${fixed} (export with a dynamic batch axis to batch more)`,
      );
    }
    const maxBatchSize = fixed ?? entry.config.max_batch_size;
    this.served.set(key, {
      entry,
      version,
      provider: loaded.provider,
      maxBatchSize,
      fixedBatchSize: fixed,
      tuner: batching.tuning
        ? new BatchTuner({ ...batching.tuning, maxBatchSize: Math.min(maxBatchSize, batching.maxBatchSize) })
        : undefined,
    });
    // Warm-up: the first run allocates arenas and picks kernels, and the largest batch
    // grows the arena to its peak; do both before reporting ready, not at the first jobs.
    if (hooks.warmUp !== false) {
      const largest = Math.min(maxBatchSize, batching.maxBatchSize);
      for (const size of new Set([1, largest])) {
        const [first] = await this.runBatch(
          key,
          Array.from({ length: size }, () => new Float32Array(tensorLength(input))),
        );
        // A graph whose output dims are symbolic is checked here, by what it answers.
        if (first?.length !== entry.config.labels.length) {
          throw new Error(
            `${modelFile(entry, version)}: output "${output.name}" has dims [${size}, ${first?.length}] but model.json lists ${entry.config.labels.length} labels`,
          );
        }
      }
      await this.calibrate(key, batching);
    }
  }

  /**
   * Time batches of each calibration size (zeros: the cost of a dense network does not
   * depend on the pixels) and choose the version's first cap from them; sizes stop at the
   * first whose batch exceeds the latency budget, since no larger one can be chosen.
   */
  private async calibrate(key: string, batching: BatchingOptions): Promise<void> {
    const served = this.served.get(key);
    const tuner = served?.tuner;
    if (!served || !tuner || !batching.tuning) return;
    const length = tensorLength(served.entry.config.input);
    for (const size of tuner.calibrationSizes()) {
      const batch = () => Array.from({ length: size }, () => new Float32Array(length));
      await this.runBatch(key, batch()); // the first run of a shape sizes its buffers
      let ms = 0;
      const runs = 3;
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await this.runBatch(key, batch());
        ms += (performance.now() - started) / runs;
      }
      tuner.record(size, ms);
      if (ms > batching.tuning.latencyBudgetMs) break;
    }
    const choice = tuner.choose();
    batching.onBatchLimit?.(key, choice.limit, choice);
  }

  /** The batch size cap of a model version now: tuned, or the bound. */
  batchLimit(name: string, version?: string): number {
    const served = this.lookup(name, version);
    return served.tuner?.limit ?? Math.min(served.maxBatchSize, this.batchBound);
  }

  get runnerEvents(): InferenceRunner {
    return this.runner;
  }

  /** The provider in use; "cuda" only if every session got it. */
  get provider(): ExecutionProvider {
    const providers = new Set([...this.served.values()].map((s) => s.provider));
    return providers.size === 1 ? ([...providers][0] as ExecutionProvider) : 'cpu';
  }

  /** The models and the versions served now (loaded, warm, not being removed). */
  catalog(): { name: string; versions: string[]; config: ModelConfig }[] {
    return [...this.models.values()].map((entry) => ({
      name: entry.config.name,
      versions: [...entry.versions],
      config: entry.config,
    }));
  }

  /** Resolve model + optional version to a version served now; unknown ones are permanent failures. */
  resolve(name: string, version?: string): ServedVersion {
    const entry = this.models.get(name);
    if (!entry || entry.versions.length === 0) throw new UnknownModelError(name, version);
    const chosen = version ?? newestVersion(entry);
    const served = entry.versions.includes(chosen) ? this.served.get(modelVersionKey(name, chosen)) : undefined;
    if (!served) throw new UnknownModelError(name, version);
    return served;
  }

  /** A loaded session, served or still finishing the jobs that hold it (being removed). */
  private lookup(name: string, version: string | undefined): ServedVersion {
    if (version !== undefined) {
      const held = this.served.get(modelVersionKey(name, version));
      if (held) return held;
    }
    return this.resolve(name, version);
  }

  /**
   * Announce an image that will reach infer() once preprocessed, so that a batch
   * waits for it within the window; call the returned function right after infer()
   * is called (or if the image fails), as with MicroBatcher.expect().
   */
  expect(name: string, version: string | undefined): () => void {
    const served = this.lookup(name, version);
    return this.batcher.expect(modelVersionKey(name, served.version), served.maxBatchSize);
  }

  /**
   * Classify one image, decoded (decodeImage) or preprocessed (preprocessImage); batched
   * with concurrent calls. `signal` withdraws it if aborted before its batch starts.
   */
  async infer(
    name: string,
    version: string | undefined,
    image: BatchImage,
    signal?: AbortSignal,
  ): Promise<InferenceOutcome> {
    const served = this.lookup(name, version);
    const { config } = served.entry;
    const submittedAt = Date.now();
    const outcome = await this.batcher.submit(
      modelVersionKey(name, served.version),
      image,
      served.maxBatchSize,
      signal,
    );
    // The job's share of its batch, in its trace: the wait for the batch to form and start,
    // then the batch's run (shared with the other jobs in it).
    const endedAt = Date.now();
    const ranFrom = Math.max(submittedAt, endedAt - outcome.batchMs);
    const attributes = {
      'infer.model': name,
      'infer.model.version': served.version,
      'infer.batch.size': outcome.batchSize,
      'infer.execution_provider': served.provider,
    };
    recordSpan('batch wait', submittedAt, ranFrom, attributes);
    recordSpan('inference', ranFrom, endedAt, attributes);
    return {
      predictions: toPredictions(outcome.output, config),
      modelVersion: served.version,
      provider: served.provider,
      batchSize: outcome.batchSize,
      inferenceMs: outcome.batchMs,
    };
  }

  private async runBatch(key: string, inputs: BatchImage[]): Promise<Float32Array[]> {
    const served = this.served.get(key);
    if (!served) throw new Error(`model ${key} is not loaded`);
    const { input } = served.entry.config;
    const length = tensorLength(input);
    // A graph with a fixed batch dimension gets exactly that many rows: pad with zeros.
    const rows = Math.max(inputs.length, served.fixedBatchSize ?? 0);
    const batch = new Float32Array(length * rows);
    for (const [i, image] of inputs.entries()) {
      if (image.length !== length) {
        throw new Error(`model ${key} takes ${length} values per image, got ${image.length}`);
      }
      if (image instanceof Uint8Array) writeTensor(image, input, batch, i * length);
      else batch.set(image, i * length);
    }
    const dims = input.layout === 'NCHW' ? [rows, 3, input.height, input.width] : [rows, input.height, input.width, 3];
    const { data, dims: outDims } = await this.runner.run(key, batch, dims);
    const perItem = data.length / rows;
    if (outDims[0] !== rows || !Number.isInteger(perItem)) {
      throw new Error(`model ${key} answered dims [${outDims.join(', ')}] for a batch of ${inputs.length}`);
    }
    return inputs.map((_, i) => data.subarray(i * perItem, (i + 1) * perItem));
  }

  /**
   * Shutdown, first step: take no more images and reject those waiting for a
   * batch with ServerClosingError (their jobs go back to the queue); batches
   * already running finish.
   */
  stopAccepting(): void {
    this.batcher.close(new ServerClosingError('the worker is shutting down'));
  }

  /** Items waiting for or running in a batch. */
  get pending(): number {
    return this.batcher.size;
  }

  /** Wait for running batches to finish (shutdown), then stop the inference thread. */
  async close(): Promise<void> {
    this.closing = true;
    await this.batcher.drained();
    await this.runner.close();
  }
}
