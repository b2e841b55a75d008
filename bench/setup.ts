import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../test/support/processes.ts';
import { MODELS, MODELS_DIR } from './options.ts';

/** The peer's Python side (Debian packages): say what to install in one line rather than fail mid-run. */
export function checkPeerDependencies(): void {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import fastapi, uvicorn, multipart, torch, torchvision'], {
      stdio: 'ignore',
    });
  } catch {
    console.error(
      'pnpm bench needs Debian packages for the peer: sudo apt-get install -y --no-install-recommends python3-fastapi python3-uvicorn python3-multipart python3-torch python3-torchvision',
    );
    process.exit(1);
  }
}

/** The bench's model repository: the reference model, and (unless `referenceOnly`) the exported ones. */
export function prepareModels(options: { referenceOnly?: boolean } = {}): void {
  mkdirSync(MODELS_DIR, { recursive: true });
  cpSync(path.join(ROOT, 'models/plant-pathology'), path.join(MODELS_DIR, 'plant-pathology'), { recursive: true });
  if (options.referenceOnly) return;
  for (const model of MODELS) {
    if (!model.arch || existsSync(path.join(MODELS_DIR, model.name, '1', 'model.onnx'))) continue;
    console.log(`exporting ${model.arch} at ${model.size} (random weights) with tools/export-onnx ...`);
    execFileSync(
      '/usr/bin/python3',
      [
        path.join(ROOT, 'tools/export-onnx/export_onnx.py'),
        ...['--name', model.name, '--version', '1', '--arch', model.arch, '--random-weights'],
        ...['--labels', 'a,b,c,d', '--input-size', String(model.size), '--max-batch-size', '16'],
        ...['--out', MODELS_DIR, '--force'],
      ],
      { stdio: 'inherit' },
    );
  }
}
