/** Messages between InferenceRunner (main thread) and inference.thread.ts. */

export type ExecutionProvider = 'cuda' | 'cpu';

export interface SessionSettings {
  providers: ExecutionProvider[];
  intraOpNumThreads: number;
  cudaDeviceId: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena: boolean;
  /**
   * Whether idle intra-op threads busy-wait for the next run (onnxruntime's default). Off,
   * they sleep: a worker whose batches are short and far apart stops burning the cores
   * its decoders need, at the cost of waking them for each run.
   */
  intraOpSpinning: boolean;
  /**
   * Benchmarking only (STAND_IN_BATCH_MS): when above 0, a batch is not run; it waits this
   * long, using no CPU, and answers zeros (uniform scores): a stand-in for a GPU, to measure
   * how the rest of the system scales. The session is still loaded and checked.
   */
  standInBatchMs?: number;
}

export interface LoadRequest {
  type: 'load';
  id: number;
  key: string;
  file: string;
  inputName: string;
  outputName: string;
  /** Expected non-batch input dims, in the model's layout, to check against the ONNX graph. */
  inputDims: number[];
  /** Scores per image model.json expects (its label count), to check against the graph's output. */
  outputSize?: number;
  settings: SessionSettings;
}

export interface RunRequest {
  type: 'run';
  id: number;
  key: string;
  data: Float32Array;
  dims: number[];
}

/** Release one session (a removed or broken version): its jobs have finished. */
export interface UnloadRequest {
  type: 'unload';
  id: number;
  key: string;
}

export type ThreadRequest = LoadRequest | RunRequest | UnloadRequest;

export type ThreadResponse =
  | {
      type: 'loaded';
      id: number;
      provider: ExecutionProvider;
      warnings: string[];
      /** The graph's batch dimension when it is a fixed number (e.g. 1), else null (dynamic). */
      fixedBatchSize: number | null;
    }
  | { type: 'result'; id: number; data: Float32Array; dims: number[] }
  | { type: 'unloaded'; id: number }
  | { type: 'error'; id: number; message: string };
