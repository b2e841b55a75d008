import { type ModelConfig, type Prediction, UnknownModelError } from '@infer/contracts';
import type { ExecutionProvider, SessionSettings } from './inference-protocol.ts';
import { InferenceRunner } from './inference-runner.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { type ModelEntry, modelFile, newestVersion } from './model-repository.ts';
import { toPredictions } from './postprocess.ts';
import { tensorLength } from './preprocess.ts';

export interface BatchingOptions {
  windowMs: number;
  maxBatchSize: number;
  onBatch?: (key: string, size: number, ms: number) => void;
}

export interface InferenceOutcome {
  predictions: Prediction[];
  modelVersion: string;
  provider: ExecutionProvider;
  batchSize: number;
  inferenceMs: number;
}

interface ServedVersion {
  entry: ModelEntry;
  version: string;
  provider: ExecutionProvider;
}

const versionKey = (name: string, version: string) => `${name}@${version}`;

/**
 * The models one worker serves: one ONNX session per model version (kept for the
 * life of the process), behind a dynamic micro-batcher, run off the main thread.
 */
export class ModelServer {
  private readonly served = new Map<string, ServedVersion>();
  private readonly batcher: MicroBatcher<Float32Array, Float32Array>;

  private constructor(
    private readonly models: Map<string, ModelEntry>,
    private readonly runner: InferenceRunner,
    batching: BatchingOptions,
  ) {
    this.batcher = new MicroBatcher((key, inputs) => this.runBatch(key, inputs), batching);
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
          const key = versionKey(entry.config.name, version);
          const loaded = await runner.load(
            { key, file: modelFile(entry, version), inputName: input.name, outputName: output.name, inputDims },
            settings,
          );
          for (const warning of loaded.warnings) hooks.onWarning?.(`${key}: ${warning}`);
          server.served.set(key, { entry, version, provider: loaded.provider });
          // Warm-up: the first run allocates arenas and picks kernels; do it before reporting ready.
          if (hooks.warmUp !== false) await server.runBatch(key, [new Float32Array(tensorLength(input))]);
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
    const served = this.served.get(versionKey(name, version ?? newestVersion(entry)));
    if (!served) throw new UnknownModelError(name, version);
    return served;
  }

  /** Classify one preprocessed image (see preprocessImage); batched with concurrent calls. */
  async infer(name: string, version: string | undefined, tensor: Float32Array): Promise<InferenceOutcome> {
    const served = this.resolve(name, version);
    const { config } = served.entry;
    const outcome = await this.batcher.submit(versionKey(name, served.version), tensor, config.max_batch_size);
    return {
      predictions: toPredictions(outcome.output, config),
      modelVersion: served.version,
      provider: served.provider,
      batchSize: outcome.batchSize,
      inferenceMs: outcome.batchMs,
    };
  }

  private async runBatch(key: string, inputs: Float32Array[]): Promise<Float32Array[]> {
    const served = this.served.get(key);
    if (!served) throw new Error(`model ${key} is not loaded`);
    const { input } = served.entry.config;
    const length = tensorLength(input);
    const batch = new Float32Array(length * inputs.length);
    for (const [i, tensor] of inputs.entries()) batch.set(tensor, i * length);
    const dims =
      input.layout === 'NCHW'
        ? [inputs.length, 3, input.height, input.width]
        : [inputs.length, input.height, input.width, 3];
    const { data, dims: outDims } = await this.runner.run(key, batch, dims);
    const perItem = data.length / inputs.length;
    if (outDims[0] !== inputs.length || !Number.isInteger(perItem)) {
      throw new Error(`model ${key} answered dims [${outDims.join(', ')}] for a batch of ${inputs.length}`);
    }
    return inputs.map((_, i) => data.subarray(i * perItem, (i + 1) * perItem));
  }

  /** Wait for queued batches to finish (shutdown), then stop the inference thread. */
  async close(): Promise<void> {
    await this.batcher.drained();
    await this.runner.close();
  }
}
