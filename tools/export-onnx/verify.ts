/**
 * Node half of export_onnx.py's verification. Runs an exported model the way the
 * worker does: readModel (model.json validated against the contract),
 * preprocessImage (sharp decoding, resizing, normalisation) and InferenceRunner
 * (onnxruntime-node in a worker thread, with the worker's default session
 * settings). Raw logits go back to export_onnx.py, which compares them with PyTorch.
 *
 *   node --import tsx tools/export-onnx/verify.ts \
 *     --model-dir DIR --version N --work DIR [--image FILE]
 *
 * Reads WORK/random.{bin,json} (a batch made by PyTorch); writes WORK/random.logits.*,
 * WORK/image.tensor.* (what preprocessImage produced), WORK/image.logits.* and
 * WORK/result.json. Tensor files are described in tensor-file.ts. Run from the
 * repository root, where `tsx` resolves.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { ModelInput } from '../../packages/contracts/src/index.ts';
import {
  InferenceRunner,
  type ModelEntry,
  modelFile,
  preprocessImage,
  readModel,
  type SessionSettings,
  toPredictions,
} from '../../packages/inference/src/index.ts';
import { readTensor, writeTensor } from './tensor-file.ts';
import { makeTestImage } from './test-image.ts';

/** The worker's defaults (packages/config/src/env.ts), CPU only: the reference numerics. */
const SETTINGS: SessionSettings = {
  providers: ['cpu'],
  intraOpNumThreads: 0,
  cudaDeviceId: 0,
  graphOptimizationLevel: 'all',
  enableCpuMemArena: true,
  intraOpSpinning: false,
};
const MAX_INPUT_PIXELS = 50_000_000;

interface Cli {
  modelDir: string;
  version: string;
  work: string;
  image: string | undefined;
}

function parseCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      'model-dir': { type: 'string' },
      version: { type: 'string' },
      work: { type: 'string' },
      image: { type: 'string' },
    },
  });
  const modelDir = values['model-dir'];
  const { version, work, image } = values;
  if (!modelDir || !version || !work) {
    throw new Error('usage: verify.ts --model-dir DIR --version N --work DIR [--image FILE]');
  }
  return { modelDir, version, work, image };
}

/** Non-batch input dims in the model's layout, as ModelServer passes them to the runner. */
const inputDims = (input: ModelInput): number[] =>
  input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3];

/** The user's image, or a generated one (kept in WORK for inspection). */
async function loadImage(cli: Cli): Promise<{ bytes: Uint8Array; path: string }> {
  if (cli.image) return { bytes: await readFile(cli.image), path: cli.image };
  const generated = path.join(cli.work, 'generated.png');
  const bytes = await makeTestImage();
  await writeFile(generated, bytes);
  return { bytes, path: generated };
}

async function verify(cli: Cli, entry: ModelEntry, runner: InferenceRunner): Promise<Record<string, unknown>> {
  const { config } = entry;
  const key = `${config.name}@${cli.version}`;
  const dims = inputDims(config.input);
  const loaded = await runner.load(
    {
      key,
      file: modelFile(entry, cli.version),
      inputName: config.input.name,
      outputName: config.output.name,
      inputDims: dims,
    },
    SETTINGS,
  );

  const random = await readTensor(path.join(cli.work, 'random'));
  const randomOut = await runner.run(key, random.data, random.dims);
  await writeTensor(path.join(cli.work, 'random.logits'), randomOut.data, randomOut.dims);

  const image = await loadImage(cli);
  const { data, source } = await preprocessImage(image.bytes, config.input, { maxInputPixels: MAX_INPUT_PIXELS });
  // The size shown in the verification summary (the worker's decode does not read it separately).
  const { width, height } = await sharp(image.bytes).metadata();
  const batchDims = [1, ...dims];
  // Written before run(): run() transfers the buffer to the inference thread.
  await writeTensor(path.join(cli.work, 'image.tensor'), data, batchDims);
  const imageOut = await runner.run(key, data, batchDims);
  await writeTensor(path.join(cli.work, 'image.logits'), imageOut.data, imageOut.dims);

  // The worker's post-processing too: it rejects a labels/outputs mismatch.
  const [top] = toPredictions(imageOut.data, config);
  return {
    provider: loaded.provider,
    warnings: loaded.warnings,
    image: { path: image.path, ...source, width, height },
    top,
  };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const entry = readModel(cli.modelDir);
  if (!entry.versions.includes(cli.version)) {
    throw new Error(`${cli.modelDir}: no version ${cli.version} (found ${entry.versions.join(', ')})`);
  }
  const runner = new InferenceRunner();
  try {
    const result = await verify(cli, entry, runner);
    await writeFile(path.join(cli.work, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await runner.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
