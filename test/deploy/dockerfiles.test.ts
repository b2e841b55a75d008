/**
 * The Dockerfiles agree with the repository: what they copy exists and is in the build
 * context, their ports, settings and health checks match packages/config, they run as a
 * non-root user, and the CUDA image matches what onnxruntime-node's GPU binaries need.
 * (No Docker engine is needed; building the images is not part of the tests.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { splitImage } from './lib/dockerfile.ts';
import { isIgnored, parseDockerignore } from './lib/dockerignore.ts';
import { defaultPort, dockerfileOf, type ImageSpec, imageSpecs } from './lib/images.ts';
import { apps, fromRoot, isKnownVariable, readText, rootPackage, settingDefault, settingProblems } from './lib/repo.ts';

const dockerignore = parseDockerignore(readText('.dockerignore'));
const ROOT_USERS = new Set(['', 'root', '0']);

/** CUDA major versions onnxruntime-node's installer can fetch GPU binaries for on linux/x64. */
function onnxruntimeCudaMajors(): number[] {
  const require = createRequire(import.meta.url);
  const metadata = require(fromRoot('node_modules/onnxruntime-node/script/install-metadata.js')) as {
    requirements: Record<string, string[]>;
  };
  return (metadata.requirements['linux/x64'] ?? [])
    .map((flag) => Number(/^cuda(\d+)$/.exec(flag)?.[1]))
    .filter(Boolean);
}

describe('.dockerignore', () => {
  it('keeps what the images build from in the context', () => {
    const needed = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc'];
    for (const [dir] of apps()) needed.push(`apps/${dir}/package.json`, `apps/${dir}/src/main.ts`);
    needed.push(
      'packages/config/src/env.ts',
      'models/plant-pathology/model.json',
      'models/plant-pathology/1/model.onnx',
    );
    expect(needed.filter((file) => isIgnored(dockerignore, file))).toEqual([]);
  });

  it('leaves out node_modules, git history and local data', () => {
    for (const path of ['node_modules', 'apps/api/node_modules/x', '.git/HEAD', '.data/redis/x', 'test/deploy/x.ts']) {
      expect(isIgnored(dockerignore, path), path).toBe(true);
    }
  });
});

const active = imageSpecs.filter((spec) => !spec.pending?.());
const pending = imageSpecs.filter((spec) => spec.pending?.());

describe.each(active)('$dockerfile', (spec: ImageSpec) => {
  const dockerfile = dockerfileOf(spec);
  const { final } = dockerfile;
  const stageNames = dockerfile.stages.map((stage) => stage.name).filter(Boolean);

  it('pins every base image to a version', () => {
    for (const stage of dockerfile.stages) {
      if (stageNames.includes(stage.image)) continue; // an earlier stage
      const { tag, digest } = splitImage(stage.image);
      expect(stage.image).not.toMatch(/\$/); // every build argument resolved
      expect(digest !== undefined || (tag !== undefined && /\d+\.\d+/.test(tag) && tag !== 'latest'), stage.image).toBe(
        true,
      );
    }
  });

  it('uses the Node.js and pnpm versions of package.json', () => {
    const node = dockerfile.globalArgs.get('NODE_VERSION') ?? '';
    const [major = 0, minor = 0] = node.split('.').map(Number);
    const [wantMajor = 0, wantMinor = 0] = (/>=\s*(\d+)(?:\.(\d+))?/.exec(rootPackage.engines?.node ?? '>=0') ?? [])
      .slice(1)
      .map((part) => Number(part ?? 0));
    expect(major > wantMajor || (major === wantMajor && minor >= wantMinor), `node ${node}`).toBe(true);
    const pnpm = rootPackage.packageManager?.replace(/^pnpm@/, '').split('+')[0];
    expect(dockerfile.globalArgs.get('PNPM_VERSION')).toBe(pnpm);
  });

  it('copies only files that exist in the repository and in the build context', () => {
    for (const stage of dockerfile.stages) {
      for (const copy of stage.copies) {
        if (copy.from !== undefined) {
          expect(stageNames, `COPY --from=${copy.from} (line ${copy.line})`).toContain(copy.from);
          continue;
        }
        for (const source of copy.sources) {
          expect(existsSync(fromRoot(source)), `${source} (line ${copy.line})`).toBe(true);
          expect(isIgnored(dockerignore, source), `${source} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('installs the production dependencies of its app in the repository layout, from the lockfile', () => {
    const packageName = apps().get(spec.app);
    expect(packageName, `apps/${spec.app}`).toBeDefined();
    const install = dockerfile.stages.flatMap((stage) => stage.runs).find((run) => /\bpnpm install\b/.test(run));
    expect(install).toBeDefined();
    expect(install).toContain(`--filter ${packageName}...`);
    expect(install).toMatch(/--prod\b/);
    // Versions from the lockfile: fetched first, installed offline and frozen.
    const runs = dockerfile.stages.flatMap((stage) => stage.runs);
    expect(runs.findIndex((run) => /\bpnpm fetch --prod\b/.test(run))).toBeLessThan(runs.indexOf(install ?? ''));
    expect(install).toContain('--offline');
    expect(install).toContain('--frozen-lockfile');
    // Injected (copied) workspace packages would land inside node_modules, where Node refuses to strip types.
    expect(install).not.toContain('inject-workspace-packages');
    // No TypeScript loader in production: tsx is a development dependency only.
    const manifest = JSON.parse(readText(`apps/${spec.app}/package.json`)) as { dependencies?: Record<string, string> };
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('tsx');
  });

  it("starts the app's main.ts with node as PID 1, no loader", () => {
    expect(final.cmd).toEqual(['node', 'src/main.ts']);
    expect(final.workdir).toBe(`/app/apps/${spec.app}`);
    expect(existsSync(fromRoot('apps', spec.app, 'src/main.ts'))).toBe(true);
  });

  it('sets only environment variables the code or the runtime reads, with valid values', () => {
    for (const stage of dockerfile.stages) {
      for (const name of stage.env.keys()) expect(isKnownVariable(name), `ENV ${name}`).toBe(true);
    }
    expect(settingProblems(Object.fromEntries(final.env))).toEqual([]);
    expect(final.env.get('NODE_ENV')).toBe('production');
    expect(final.env.get('MALLOC_ARENA_MAX')).toBe('2');
  });

  it('runs as a non-root user with a numeric uid', () => {
    const user = final.user ?? '';
    const [uid = ''] = user.split(':');
    expect(ROOT_USERS.has(uid), `USER ${user}`).toBe(false);
    // Kubernetes' runAsNonRoot can only verify a numeric user.
    expect(uid).toMatch(/^[1-9]\d*$/);
  });

  it('has a health check', () => {
    expect(final.healthcheck, 'HEALTHCHECK').toBeDefined();
    const command = JSON.parse(final.healthcheck ?? '[]') as string[];
    expect(command[0]).toBe('node'); // slim images have no curl or wget
    const script = command.join(' ');
    expect(script).toContain('/healthz');
    expect(script).toContain(`process.env.${spec.portSetting}`);
    expect(script).toContain(`||${String(settingDefault(spec.portSetting))})`);
  });

  it('exposes the port its settings give', () => {
    const port = defaultPort(spec);
    expect(final.expose).toEqual([port]);
    const configured = final.env.get(spec.portSetting);
    if (configured !== undefined) expect(Number(configured)).toBe(port);
  });

  it('serves the models copied into the image from MODEL_REPOSITORY', () => {
    if (spec.app === 'webhook-dispatcher') return; // reads no models
    const modelsCopy = final.copies.find((copy) => copy.from === 'models');
    expect(modelsCopy, 'COPY --from=models').toBeDefined();
    expect(modelsCopy?.dest.replace(/\/$/, '')).toBe(final.env.get('MODEL_REPOSITORY'));
    const modelsStage = dockerfile.stages.find((stage) => stage.name === 'models');
    const source = modelsStage?.copies[0]?.sources[0] ?? '';
    expect(existsSync(fromRoot(source)), `ARG MODELS default ${source}`).toBe(true);
    expect(modelsStage?.args.get('BAKE_MODELS')).toBe('true');
  });

  it('sizes the libuv pool above the preprocessing concurrency when it runs sharp', () => {
    const size = final.env.get('UV_THREADPOOL_SIZE');
    if (!spec.inference) return;
    expect(Number(size)).toBeGreaterThan(Number(settingDefault('PREPROCESS_CONCURRENCY')));
  });

  it('selects the execution providers of its onnxruntime build', () => {
    if (!spec.inference) return;
    const install = dockerfile.stages.map((stage) => stage.env.get('ONNXRUNTIME_NODE_INSTALL')).find(Boolean);
    if (!spec.cuda) {
      expect(install).toBeUndefined(); // .npmrc's onnxruntime-node-install=skip applies
      expect(readText('.npmrc')).toMatch(/^onnxruntime-node-install=skip$/m);
      expect(final.env.get('EXECUTION_PROVIDERS')).toBe('cpu');
      return;
    }
    const majors = onnxruntimeCudaMajors();
    expect(majors.length).toBeGreaterThan(0);
    const { repository, tag = '' } = splitImage(final.image);
    expect(repository).toBe('nvidia/cuda');
    const match = /^(\d+)\.\d+\.\d+-cudnn(\d*)-runtime-ubuntu\d+\.\d+$/.exec(tag);
    expect(match, `nvidia/cuda:${tag} (want <x.y.z>-cudnn-runtime-ubuntu<version>)`).not.toBeNull();
    expect(majors).toContain(Number(match?.[1]));
    expect(install).toBe(`cuda${match?.[1]}`);
    expect(final.platform).toBe('linux/amd64');
    expect(final.env.get('EXECUTION_PROVIDERS')).toBe('cuda,cpu');
    // pnpm's side-effects cache would reuse a CPU-only onnxruntime-node build from the store.
    const pnpmInstall = dockerfile.stages.flatMap((stage) => stage.runs).find((run) => /\bpnpm install\b/.test(run));
    expect(pnpmInstall).toContain('--config.side-effects-cache=false');
    expect(pnpmInstall).toContain('libonnxruntime_providers_cuda.so');
  });
});

describe.skipIf(pending.length === 0)('Dockerfiles of apps not written yet', () => {
  it.each(pending)('$dockerfile parses and waits for apps/$app', (spec: ImageSpec) => {
    const dockerfile = dockerfileOf(spec);
    expect(dockerfile.final.healthcheck).toBeDefined();
    expect(existsSync(fromRoot('apps', spec.app, 'src', 'main.ts'))).toBe(false);
    for (const name of dockerfile.final.env.keys()) expect(isKnownVariable(name), `ENV ${name}`).toBe(true);
    expect(readFileSync(fromRoot(spec.dockerfile), 'utf8')).toMatch(/USER 1000:1000/);
  });
});
