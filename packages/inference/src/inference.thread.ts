/**
 * Worker-thread side of InferenceRunner. onnxruntime-node's session.run() blocks
 * the thread that calls it for the whole inference (onnxruntime#26968); running it
 * here keeps the worker's main thread free to renew BullMQ locks, answer probes
 * and decode the next batch.
 */
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type {
  ExecutionProvider,
  LoadRequest,
  RunRequest,
  ThreadRequest,
  ThreadResponse,
  UnloadRequest,
} from './inference-protocol.ts';

interface LoadedSession {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  outputSize: number;
  standInBatchMs: number;
}

// One session per loaded model version; a removed version's session is released (unload).
const sessions = new Map<string, LoadedSession>();
const port = parentPort;
if (!port) throw new Error('inference.thread.ts must run in a worker thread');

const reply = (message: ThreadResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: ThreadRequest) => {
  const work = request.type === 'load' ? load(request) : request.type === 'unload' ? unload(request) : run(request);
  work.catch((error: unknown) =>
    reply({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }),
  );
});

function providerOption(
  provider: ExecutionProvider,
  request: LoadRequest,
): ort.InferenceSession.ExecutionProviderConfig {
  if (provider === 'cuda') return { name: 'cuda', deviceId: request.settings.cudaDeviceId };
  return 'cpu';
}

async function unload(request: UnloadRequest): Promise<void> {
  const loaded = sessions.get(request.key);
  sessions.delete(request.key);
  await loaded?.session.release();
  reply({ type: 'unloaded', id: request.id });
}

async function load(request: LoadRequest): Promise<void> {
  const { settings } = request;
  if (sessions.has(request.key)) throw new Error(`model ${request.key} is already loaded`);
  const warnings: string[] = [];
  // No automatic CUDA -> CPU fallback exists in onnxruntime-node: try each provider ourselves.
  for (const provider of settings.providers) {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(request.file, {
        executionProviders: [providerOption(provider, request)],
        graphOptimizationLevel: settings.graphOptimizationLevel,
        enableCpuMemArena: settings.enableCpuMemArena,
        ...(settings.intraOpNumThreads > 0 ? { intraOpNumThreads: settings.intraOpNumThreads } : {}),
        extra: { session: { intra_op: { allow_spinning: settings.intraOpSpinning ? '1' : '0' } } },
      });
    } catch (error) {
      warnings.push(`execution provider "${provider}" unavailable: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    let fixedBatchSize: number | null;
    try {
      fixedBatchSize = checkContract(session, request);
    } catch (error) {
      await session.release();
      throw error;
    }
    sessions.set(request.key, {
      session,
      inputName: request.inputName,
      outputName: request.outputName,
      outputSize: request.outputSize ?? 1,
      standInBatchMs: settings.standInBatchMs ?? 0,
    });
    reply({ type: 'loaded', id: request.id, provider, warnings, fixedBatchSize });
    return;
  }
  throw new Error(`${request.file}: no execution provider could load it (${warnings.join('; ')})`);
}

/**
 * Find disagreements between model.json and the ONNX graph at load time, not at
 * the first job. Answers the graph's batch dimension if it is a fixed number: a
 * model exported with batch 1 must never be sent a batch of 8.
 */
function checkContract(session: ort.InferenceSession, request: LoadRequest): number | null {
  if (!session.inputNames.includes(request.inputName)) {
    throw new Error(
      `${request.file}: model.json input "${request.inputName}" is not a graph input (graph has ${session.inputNames.join(', ')})`,
    );
  }
  if (!session.outputNames.includes(request.outputName)) {
    throw new Error(
      `${request.file}: model.json output "${request.outputName}" is not a graph output (graph has ${session.outputNames.join(', ')})`,
    );
  }
  const out = session.outputMetadata?.find((m) => m.name === request.outputName);
  if (out?.isTensor && request.outputSize !== undefined) {
    // Non-batch dims all fixed: their product is the scores per image, one per label.
    const perImage = out.shape.slice(1);
    const fixed = perImage.every((dim) => typeof dim === 'number' && dim > 0);
    const size = perImage.reduce<number>((product, dim) => product * (typeof dim === 'number' ? dim : 1), 1);
    if (out.shape.length < 2 || (fixed && size !== request.outputSize)) {
      throw new Error(
        `${request.file}: output "${request.outputName}" has dims [${out.shape.join(', ')}] but model.json lists ${request.outputSize} labels`,
      );
    }
  }
  const meta = session.inputMetadata?.find((m) => m.name === request.inputName);
  if (!meta?.isTensor) return null;
  const graphDims = meta.shape.slice(1);
  const mismatch =
    graphDims.length !== request.inputDims.length ||
    graphDims.some((dim, i) => typeof dim === 'number' && dim > 0 && dim !== request.inputDims[i]);
  if (mismatch) {
    throw new Error(
      `${request.file}: input "${request.inputName}" has dims [${meta.shape.join(', ')}] but model.json describes [batch, ${request.inputDims.join(', ')}]`,
    );
  }
  const batch = meta.shape[0];
  return typeof batch === 'number' && batch > 0 ? batch : null;
}

async function run(request: RunRequest): Promise<void> {
  const loaded = sessions.get(request.key);
  if (!loaded) throw new Error(`model ${request.key} is not loaded`);
  const rows = request.dims[0] ?? 1;
  if (loaded.standInBatchMs > 0) {
    // The GPU stand-in (SessionSettings.standInBatchMs): a fixed wait per batch, no CPU.
    await new Promise((resolve) => setTimeout(resolve, loaded.standInBatchMs));
    const data = new Float32Array(rows * loaded.outputSize);
    reply({ type: 'result', id: request.id, data, dims: [rows, loaded.outputSize] }, [data.buffer as ArrayBuffer]);
    return;
  }
  const input = new ort.Tensor('float32', request.data, request.dims);
  const outputs = await loaded.session.run({ [loaded.inputName]: input }, [loaded.outputName]);
  const output = outputs[loaded.outputName];
  if (output?.type !== 'float32') throw new Error(`output "${loaded.outputName}" is not float32`);
  // Copy into a transferable buffer owned by this message.
  const data = new Float32Array(output.data as Float32Array);
  reply({ type: 'result', id: request.id, data, dims: [...output.dims] }, [data.buffer as ArrayBuffer]);
}
