import type { Env } from '@infer/config';
import type { SessionSettings } from '@infer/inference';

/** onnxruntime session settings from the worker's environment; the bench's raw pipeline takes the defaults. */
export const sessionSettingsOf = (env: Env): SessionSettings => ({
  providers: env.EXECUTION_PROVIDERS,
  intraOpNumThreads: env.INTRA_OP_THREADS,
  cudaDeviceId: env.CUDA_DEVICE_ID,
  graphOptimizationLevel: env.GRAPH_OPTIMIZATION_LEVEL,
  enableCpuMemArena: env.CPU_MEM_ARENA,
  intraOpSpinning: env.INTRA_OP_SPINNING,
  standInBatchMs: env.STAND_IN_BATCH_MS,
});
