import path from 'node:path';
import { ROOT } from '../test/support/processes.ts';
import type { BenchModel } from './lib/systems.ts';

/** `--full`: more client counts, longer loads and two photo sizes (see bench.ts). */
export const FULL = process.argv.includes('--full');
/** `--only=tiny,scaleout` (sections: models, batching, enqueue, tiny, scaleout, cache, tracing, cli, sentinel, cluster): run those sections, print them and write .bench/only.json; the docs stay as they are. */
export const ONLY = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
export const runs = (
  section:
    | 'models'
    | 'batching'
    | 'enqueue'
    | 'tiny'
    | 'scaleout'
    | 'cache'
    | 'tracing'
    | 'cli'
    | 'sentinel'
    | 'cluster',
) => !ONLY || ONLY.includes(section);
export const CLIENTS = FULL ? [1, 4, 16, 64] : [1, 4, 16];
export const SECONDS = FULL ? 10 : 4;
export const WARMUP = 2;
export const MODELS_DIR = path.join(ROOT, '.bench', 'models');

export const MODELS: (BenchModel & { size: number })[] = [
  { key: 'reference', name: 'plant-pathology', title: 'Reference model (224)', arch: '', size: 224 },
  {
    key: 'mobilenet_v3_small',
    name: 'mobilenet-v3-small-224',
    title: 'MobileNetV3-Small @224',
    arch: 'mobilenet_v3_small',
    size: 224,
  },
  {
    key: 'efficientnet_b3',
    name: 'efficientnet-b3-300',
    title: 'EfficientNet-B3 @300',
    arch: 'efficientnet_b3',
    size: 300,
  },
];

export const IMAGES = FULL
  ? [
      { width: 640, height: 480 },
      { width: 1600, height: 1200 },
    ]
  : [{ width: 1024, height: 768 }];
