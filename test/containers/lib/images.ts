import { execFile } from 'node:child_process';
import { GenericContainer, getContainerRuntimeClient, ImageName } from 'testcontainers';
import { fromRoot } from '../../deploy/lib/repo.ts';
import { dockerode } from './engine.ts';
import { CONTAINERS_CONF } from './podman.ts';

export interface BuiltImage {
  image: string;
  dockerfile: string;
  seconds: number;
  megabytes: number;
  /** Stages built, when not the whole file (the CUDA worker). */
  stages?: string[];
}

/**
 * The base images the Dockerfiles and compose.yaml name, assembled offline (cached by their
 * inputs). mmdebstrap and `podman import` on this machine: no engine API imports a root file
 * system tarball with the image config the script sets.
 */
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
 * `docker build` of one Dockerfile through the engine's API (testcontainers sends the repository
 * root as the context, minus .dockerignore), tagged as compose.yaml names the image. The engine
 * never pulls: the bases are local (podman's compat build defaults to Docker format, which keeps
 * HEALTHCHECK). testcontainers reads the build's output stream only for its debug log and tells
 * a failed step only by the missing tag, so each build gets a tag of its own first: an image left
 * under the final name by an earlier run cannot pass for this one.
 */
export async function buildImage(dockerfile: string, image: string, target?: string): Promise<BuiltImage> {
  const started = Date.now();
  const attempt = `localhost/infer-build:${process.pid}-${started}`;
  const builder = GenericContainer.fromDockerfile(fromRoot(), dockerfile);
  if (target) builder.withTarget(target);
  await builder.build(attempt, { deleteOnExit: false }).catch((error: Error) => {
    throw new Error(
      `building ${dockerfile}${target ? ` (stage ${target})` : ''} failed: ${error.message}; DEBUG=testcontainers:build shows the build's output`,
    );
  });
  const seconds = (Date.now() - started) / 1000;
  const engine = await dockerode();
  const name = ImageName.fromString(image);
  await engine
    .getImage(attempt)
    .tag({ repo: name.registry ? `${name.registry}/${name.image}` : name.image, tag: name.tag });
  // Untags the attempt's name; the image stays under its compose name.
  await engine.getImage(attempt).remove();
  const client = await getContainerRuntimeClient();
  const { Size } = await client.image.inspect(name);
  return { image, dockerfile, seconds, megabytes: Size / 1e6, ...(target ? { stages: [target] } : {}) };
}

export function printImages(built: readonly BuiltImage[]): void {
  const rows = built.map(
    (b) =>
      `${b.image.padEnd(34)} ${b.seconds.toFixed(1).padStart(6)} s ${b.megabytes.toFixed(0).padStart(6)} MB  ${b.dockerfile}${b.stages ? ` (stage ${b.stages.join(', ')} only)` : ''}`,
  );
  console.log(['image                               build     size  Dockerfile', ...rows].join('\n'));
}
