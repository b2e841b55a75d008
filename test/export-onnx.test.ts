/**
 * tools/export-onnx: PyTorch classifiers exported into a model repository in a
 * temp dir, verified by the tool itself, then served by the worker's ModelServer
 * and compared with PyTorch's own scores for the same preprocessed image.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelConfigSchema } from '../packages/contracts/src/index.ts';
import { ModelServer, preprocessImage, readModel } from '../packages/inference/src/index.ts';
import { readTensor } from '../tools/export-onnx/tensor-file.ts';
import { makeTestImage } from '../tools/export-onnx/test-image.ts';
import { pollUntilDone, submitImage } from './support/jobs-client.ts';
import { TestSystem } from './support/system.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOOL_DIR = path.join(ROOT, 'tools/export-onnx');
const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-4;
const PLANT_LABELS = ['healthy', 'multiple_diseases', 'rust', 'scab'];

const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx']).status === 0;
if (!hasTorch) {
  console.warn(
    `skipping test/export-onnx.test.ts: ${PYTHON} cannot import torch, torchvision and onnx; ` +
      'apt-get install python3-torch python3-torchvision python3-onnx',
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The parts of export_onnx.py's --report-json the tests read. */
interface Report {
  labels: string[];
  export_seconds: number;
  verify_seconds: number;
  verification: {
    passed: boolean;
    max_abs_diff: number;
    random: { max_abs_diff: number; top1_agreement: number };
    image: { max_abs_diff: number; top1_agreement: number; top1_torch: string[]; torch_probs: number[] };
  };
}

interface Case {
  name: string;
  labels: string[];
  width: number;
  height: number;
  /** Source options; `fixtures` is the directory make_fixtures.py wrote. */
  source: (fixtures: string) => string[];
}

const CASES: Case[] = [
  {
    name: 'mobilenet-v3-small',
    labels: ['apple', 'cherry', 'grape', 'peach', 'tomato'],
    width: 224,
    height: 224,
    source: (fixtures) => ['--arch', 'mobilenet_v3_small', '--weights', path.join(fixtures, 'mobilenet_v3_small.pth')],
  },
  {
    name: 'efficientnet-b3',
    labels: PLANT_LABELS,
    width: 300,
    height: 300,
    source: () => ['--arch', 'efficientnet_b3', '--random-weights', '--input-size', '300'],
  },
  {
    // A custom class (fixtures/leafnet.py) returning a dict; non-square input, cover resize.
    name: 'leafnet',
    labels: PLANT_LABELS,
    width: 128,
    height: 96,
    source: (fixtures) => {
      const pickled = [
        '--module',
        path.join(fixtures, 'leafnet.pkl'),
        '--python-path',
        path.join(TOOL_DIR, 'fixtures'),
      ];
      return [...pickled, '--input-size', '128x96', '--resize', 'cover'];
    },
  },
  {
    name: 'leafnet-torchscript',
    labels: PLANT_LABELS,
    width: 96,
    height: 96,
    source: (fixtures) => ['--torchscript', path.join(fixtures, 'leafnet.ts'), '--input-size', '96'],
  },
];

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
};

describe.skipIf(!hasTorch)('export-onnx: PyTorch classifier -> model repository', () => {
  let work = '';
  let fixtures = '';
  let repository = '';
  let image: Uint8Array = new Uint8Array();
  let imagePath = '';
  const runs = new Map<string, Run>();

  const exportModel = (name: string, args: string[]): Promise<Run> => {
    const tool = path.join(TOOL_DIR, 'export_onnx.py');
    return run(PYTHON, [tool, '--out', repository, '--name', name, '--version', '1', ...args]);
  };
  const leafnetPickle = () => ['--module', path.join(fixtures, 'leafnet.pkl')];
  const reportOf = async (name: string): Promise<Report> =>
    JSON.parse(await readFile(path.join(work, `${name}.report.json`), 'utf8')) as Report;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'export-onnx-test-'));
    fixtures = path.join(work, 'fixtures');
    repository = path.join(work, 'models');
    image = await makeTestImage({ format: 'jpeg' });
    imagePath = path.join(work, 'leaf.jpg');
    await writeFile(imagePath, image);
    const made = await run(PYTHON, [path.join(TOOL_DIR, 'fixtures/make_fixtures.py'), fixtures]);
    if (made.code !== 0) throw new Error(`make_fixtures.py failed: ${made.stderr}`);
    // One after the other: exports are CPU-bound.
    for (const c of CASES) {
      const verification = ['--verify-image', imagePath, '--verify-dir', path.join(work, `verify-${c.name}`)];
      const report = ['--report-json', path.join(work, `${c.name}.report.json`)];
      runs.set(
        c.name,
        await exportModel(c.name, [...c.source(fixtures), '--labels', c.labels.join(','), ...verification, ...report]),
      );
    }
  }, 900_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(CASES)('exports $name with verification passing', async (c) => {
    const result = runs.get(c.name);
    expect(result?.code, result?.stderr).toBe(0);
    expect(result?.stdout).toMatch(/passed/);

    const modelDir = path.join(repository, c.name);
    expect(existsSync(path.join(modelDir, '1', 'model.onnx'))).toBe(true);
    // Written last: a running worker hot-loads the version only once it is there.
    expect(existsSync(path.join(modelDir, '1', 'READY'))).toBe(true);
    const config = modelConfigSchema.parse(JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8')));
    expect(config).toMatchObject({
      name: c.name,
      labels: c.labels,
      input: { name: 'input', layout: 'NCHW', width: c.width, height: c.height },
      output: { name: 'logits', activation: 'softmax' },
    });

    const { verification, export_seconds, verify_seconds } = await reportOf(c.name);
    console.info(
      `${c.name}: max |logit diff| random ${verification.random.max_abs_diff.toExponential(2)}, ` +
        `image ${verification.image.max_abs_diff.toExponential(2)}; export ${export_seconds} s, verify ${verify_seconds} s`,
    );
    expect(verification.passed).toBe(true);
    expect(verification.max_abs_diff).toBeLessThanOrEqual(TOLERANCE);
    expect(verification.random.max_abs_diff).toBeLessThanOrEqual(TOLERANCE);
    expect(verification.image.max_abs_diff).toBeLessThanOrEqual(TOLERANCE);
    expect(verification.image.top1_agreement).toBe(1);
  });

  it('serves every exported model with the scores PyTorch gives the same image', async () => {
    for (const c of CASES) expect(runs.get(c.name)?.code, `export of ${c.name} failed`).toBe(0);
    const entries = new Map(CASES.map((c) => [c.name, readModel(path.join(repository, c.name))]));
    const server = await ModelServer.start(
      entries,
      {
        providers: ['cpu'],
        intraOpNumThreads: 0,
        cudaDeviceId: 0,
        graphOptimizationLevel: 'all',
        enableCpuMemArena: true,
        intraOpSpinning: false,
      },
      { windowMs: 0, maxBatchSize: 4 },
    );
    try {
      for (const c of CASES) {
        const { config } = entries.get(c.name) ?? expect.unreachable();
        const { data } = await preprocessImage(image, config.input, { maxInputPixels: 50_000_000 });
        // The tensor the tool gave PyTorch came from the same preprocessing.
        const fedToTorch = await readTensor(path.join(work, `verify-${c.name}`, 'image.tensor'));
        expect(fedToTorch.dims).toEqual([1, 3, c.height, c.width]);
        expect(maxAbsDiff(data, fedToTorch.data)).toBe(0);

        const outcome = await server.infer(c.name, undefined, data);
        const { image: torch } = (await reportOf(c.name)).verification;
        expect(outcome.modelVersion).toBe('1');
        expect(outcome.predictions.map((p) => p.label).sort()).toEqual([...c.labels].sort());
        expect(outcome.predictions[0]?.label).toBe(torch.top1_torch[0]);
        for (const { label, score } of outcome.predictions) {
          const expected = torch.torch_probs[c.labels.indexOf(label)] as number;
          expect(Math.abs(score - expected), `${c.name} ${label}`).toBeLessThanOrEqual(TOLERANCE);
        }
      }
    } finally {
      await server.close();
    }
  }, 300_000);

  it("serves every exported model over the API (real API + worker processes) with PyTorch's scores", async () => {
    for (const c of CASES) expect(runs.get(c.name)?.code, `export of ${c.name} failed`).toBe(0);
    const system = await TestSystem.start({ env: { MODEL_REPOSITORY: repository, DEFAULT_MODEL: 'leafnet' } });
    try {
      const models = (await (await fetch(system.url('/v1/models'))).json()) as { data?: { name: string }[] };
      const served = JSON.stringify(models);
      for (const c of CASES) expect(served).toContain(c.name);
      // All submitted at once: the worker batches and runs them concurrently.
      const submitted = await Promise.all(
        CASES.map(async (c) => {
          const response = await submitImage(system.apiUrl, image, { model: c.name }, 'leaf.jpg');
          expect(response.status, await response.clone().text()).toBe(202);
          return { c, id: ((await response.json()) as { id: string }).id };
        }),
      );
      for (const { c, id } of submitted) {
        const job = await pollUntilDone(system.apiUrl, id, 120_000);
        expect(job.status, system.logs()).toBe('succeeded');
        expect(job).toMatchObject({ model: c.name, model_version: '1', execution_provider: 'cpu' });
        const { image: torch } = (await reportOf(c.name)).verification;
        const predictions = job.result?.predictions ?? [];
        expect(predictions.map((p) => p.label).sort()).toEqual([...c.labels].sort());
        expect(predictions[0]?.label).toBe(torch.top1_torch[0]);
        for (const { label, score } of predictions) {
          const expected = torch.torch_probs[c.labels.indexOf(label)] as number;
          expect(Math.abs(score - expected), `${c.name} ${label}`).toBeLessThanOrEqual(TOLERANCE);
        }
      }
    } finally {
      await system.stop();
    }
  }, 300_000);

  it('explains how to export a fastai Learner instead of failing obscurely', async () => {
    const learner = ['--module', path.join(fixtures, 'export.pkl'), '--labels', 'a,b'];
    const withoutFastai = await exportModel('fastai', learner);
    // With a `fastai` package importable, the Learner unpickles and is recognised by its class.
    const withFastai = await exportModel('fastai', [...learner, '--python-path', path.join(fixtures, 'fake_fastai')]);
    for (const result of [withoutFastai, withFastai]) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/fastai Learner export/);
      expect(result.stderr).toContain("torch.save(learn.model.state_dict(), 'weights.pth')");
      expect(result.stderr).toMatch(/--arch \w+ --weights weights\.pth/);
      expect(result.stderr).not.toMatch(/Traceback/);
    }
    expect(existsSync(path.join(repository, 'fastai'))).toBe(false);
  }, 120_000);

  it('refuses labels that do not match the model outputs', async () => {
    const importable = ['--python-path', path.join(TOOL_DIR, 'fixtures')];
    const pickled = await exportModel('bad-labels', [...leafnetPickle(), ...importable, '--labels', 'a,b,c']);
    expect(pickled.code).not.toBe(0);
    expect(pickled.stderr).toMatch(/produces 4 logits per image but 3 labels were given/);

    const weights = ['--weights', path.join(fixtures, 'mobilenet_v3_small.pth')];
    const stateDict = await exportModel('bad-labels', [
      '--arch',
      'mobilenet_v3_small',
      ...weights,
      '--labels',
      'a,b,c,d',
    ]);
    expect(stateDict.code).not.toBe(0);
    expect(stateDict.stderr).toMatch(/classifier head \(classifier\.3\.weight\) has 5 outputs but 4 labels were given/);

    for (const result of [pickled, stateDict]) expect(result.stderr).not.toMatch(/Traceback/);
    expect(existsSync(path.join(repository, 'bad-labels'))).toBe(false);
  }, 120_000);

  it('needs a pickled model class to be importable, and says how', async () => {
    const result = await exportModel('no-path', [...leafnetPickle(), '--labels', 'a,b,c,d']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Python module 'leafnet', which is not importable.*--python-path/s);
  }, 120_000);
});
