import { execFile } from 'node:child_process';
import path from 'node:path';
import { fromRoot } from '../../deploy/lib/repo.ts';
import type { ComposeProject } from './compose.ts';
import { CONTAINERS_CONF, inspect, podmanStreamed } from './podman.ts';

export interface BuiltImage {
  image: string;
  dockerfile: string;
  seconds: number;
  megabytes: number;
  /** Stages built, when not the whole file (the CUDA worker). */
  stages?: string[];
}

/** The base images the Dockerfiles and compose.yaml name, assembled offline (cached by their inputs). */
export function assembleBaseImages(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [fromRoot('test/containers/base-images.sh')],
      { env: { ...process.env, CONTAINERS_CONF }, timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${stderr}${stdout}`)) : resolve(stdout.trim())),
    );
  });
}

/**
 * `podman build` as a user would run it, never pulling. Docker format, not OCI: buildah drops
 * HEALTHCHECK from OCI images.
 */
export async function buildImage(dockerfile: string, image: string, target?: string): Promise<BuiltImage> {
  const started = Date.now();
  const args = ['build', '--pull=never', '--format', 'docker', '-f', fromRoot(dockerfile), '-t', image];
  if (target) args.push('--target', target);
  const code = await podmanStreamed([...args, fromRoot()], `[${path.basename(dockerfile)}]`);
  if (code !== 0) throw new Error(`podman build -f ${dockerfile} exited ${code}`);
  const seconds = (Date.now() - started) / 1000;
  const { Size } = await inspect<{ Size: number }>('image', image);
  return { image, dockerfile, seconds, megabytes: Size / 1e6, ...(target ? { stages: [target] } : {}) };
}

/** Every image the compose file builds (default profile), as `docker compose build` would. */
export async function buildComposeImages(project: ComposeProject): Promise<BuiltImage[]> {
  const built: BuiltImage[] = [];
  for (const name of project.services()) {
    const service = project.service(name);
    if (!service.build) continue;
    const dockerfile = path.relative(
      fromRoot(),
      path.resolve(path.dirname(project.composePath), service.build.context, service.build.dockerfile),
    );
    built.push(await buildImage(dockerfile, service.image));
  }
  return built;
}

export function printImages(built: readonly BuiltImage[]): void {
  const rows = built.map(
    (b) =>
      `${b.image.padEnd(34)} ${b.seconds.toFixed(1).padStart(6)} s ${b.megabytes.toFixed(0).padStart(6)} MB  ${b.dockerfile}${b.stages ? ` (stage ${b.stages.join(', ')} only)` : ''}`,
  );
  console.log(['image                               build     size  Dockerfile', ...rows].join('\n'));
}
