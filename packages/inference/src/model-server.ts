import { type ModelConfig, type Prediction, UnknownModelError } from '@infer/contracts';
import { type ModelEntry, modelFile, newestVersion } from '@infer/model-repository';
import type { ExecutionProvider, SessionSettings } from './inference-protocol.ts';
import { InferenceRunner } from './inference-runner.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { modelVersionKey } from './model-version.ts';
import { toPredictions } from './postprocess.ts';
import { tensorLength, writeTensor } from './preprocess.ts';

export interface BatchingOptions {
  windowMs: number;
  maxBatchSize: number;
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
}

/**
 * One image for a batch: its decoded pixels (decodeImage: 8-bit HWC RGB at the model's
 * size), written into the batch tensor as the batch forms, or a tensor already built
 * (preprocessImage), copied in.
 */
export type BatchImage = Uint8Array | Float32Array;

/** Rejects work once the server is closing: the caller hands its job back to the queue. */
export class ServerClosingError extends Error {
  override name = 'ServerClosingError';
}

/**
 * The models one worker serves: one ONNX session per model version (kept for the
 * life of the process), behind a dynamic micro-batcher, run off the main thread.
 */
export class ModelServer {
  private readonly served = new Map<string, ServedVersion>();
  private readonly batcher: MicroBatcher<BatchImage, Float32Array>;

  private readonly models: Map<string, ModelEntry>;
  private readonly runner: InferenceRunner;

  private constructor(models: Map<string, ModelEntry>, runner: InferenceRunner, batching: BatchingOptions) {
    this.models = models;
    this.runner = runner;
    this.batcher = new MicroBatcher((key, inputs) => this.runBatch(key, inputs), {
      flushWhenNothingExpected: true,
      ...batching,
    });
  }

  /** Load every version of every model, trying execution providers in order, then warm each up. */
  static async start(
    models: Map<string, ModelEntry>,
    settings: SessionSettings,
    batching: BatchingOptions,
    hooks: { onWarning?: (message: string) => void; warmUp?: boolean } = {},
  ): Promise<ModelServer> {
    const runner = new InferenceRunner();
    const server = new ModelServer(models, runner, batching);
    try {
      for (const entry of models.values()) {
        const { input, output } = entry.config;
        const inputDims = input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3];
        for (const version of entry.versions) {
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
          server.served.set(key, {
            entry,
            version,
            provider: loaded.provider,
            maxBatchSize: fixed ?? entry.config.max_batch_size,
            fixedBatchSize: fixed,
          });
          // Warm-up: the first run allocates arenas and picks kernels, and the largest batch
          // grows the arena to its peak; do both before reporting ready, not at the first jobs.
          if (hooks.warmUp !== false) {
            const largest = Math.min(server.served.get(key)?.maxBatchSize ?? 1, batching.maxBatchSize);
            for (const size of new Set([1, largest])) {
              const [first] = await server.runBatch(
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
          }
        }
      }
    } catch (error) {
      await runner.close();
      throw error;
    }
    return server;
  }

  get runnerEvents(): InferenceRunner {
    return this.runner;
  }

  /** The provider in use; "cuda" only if every session got it. */
  get provider(): ExecutionProvider {
    const providers = new Set([...this.served.values()].map((s) => s.provider));
    return providers.size === 1 ? ([...providers][0] as ExecutionProvider) : 'cpu';
  }

  catalog(): { name: string; versions: string[]; config: ModelConfig }[] {
    return [...this.models.values()].map((entry) => ({
      name: entry.config.name,
      versions: entry.versions,
      config: entry.config,
    }));
  }

  /** Resolve model + optional version to a loaded session; unknown ones are permanent failures. */
  resolve(name: string, version?: string): ServedVersion {
    const entry = this.models.get(name);
    if (!entry) throw new UnknownModelError(name, version);
    const served = this.served.get(modelVersionKey(name, version ?? newestVersion(entry)));
    if (!served) throw new UnknownModelError(name, version);
    return served;
  }

  /**
   * Announce an image that will reach infer() once preprocessed, so that a batch
   * waits for it within the window; call the returned function right after infer()
   * is called (or if the image fails), as with MicroBatcher.expect().
   */
  expect(name: string, version: string | undefined): () => void {
    const served = this.resolve(name, version);
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
    const served = this.resolve(name, version);
    const { config } = served.entry;
    const outcome = await this.batcher.submit(
      modelVersionKey(name, served.version),
      image,
      served.maxBatchSize,
      signal,
    );
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
    await this.batcher.drained();
    await this.runner.close();
  }
}
