/** The container images of the project: which Dockerfile builds each and what runs in it. */
import { readFileSync } from 'node:fs';
import { type Dockerfile, parseDockerfile } from './dockerfile.ts';
import { dispatcherExists, fromRoot, settingDefault } from './repo.ts';

export interface ImageSpec {
  /** Image repository name (last path segment in a registry). */
  image: string;
  dockerfile: string;
  /** Directory under apps/. */
  app: string;
  /** Setting naming the port of /healthz, /readyz and /metrics. */
  portSetting: 'PORT' | 'WORKER_PORT' | 'DISPATCHER_PORT';
  /** Runs sharp (libuv thread pool) and onnxruntime. */
  inference: boolean;
  cuda: boolean;
  /** Checked against the code only once the app exists. */
  pending?: () => boolean;
}

export const imageSpecs: readonly ImageSpec[] = [
  {
    image: 'infer-api',
    dockerfile: 'docker/api.Dockerfile',
    app: 'api',
    portSetting: 'PORT',
    inference: false,
    cuda: false,
  },
  {
    image: 'infer-worker',
    dockerfile: 'docker/worker.Dockerfile',
    app: 'worker',
    portSetting: 'WORKER_PORT',
    inference: true,
    cuda: false,
  },
  {
    image: 'infer-worker-cuda',
    dockerfile: 'docker/worker-cuda.Dockerfile',
    app: 'worker',
    portSetting: 'WORKER_PORT',
    inference: true,
    cuda: true,
  },
  {
    image: 'infer-webhook-dispatcher',
    dockerfile: 'docker/webhook-dispatcher.Dockerfile',
    app: 'webhook-dispatcher',
    portSetting: 'DISPATCHER_PORT',
    inference: false,
    cuda: false,
    pending: () => !dispatcherExists(),
  },
];

/** Third-party images used as they are. */
export const externalImages: ReadonlySet<string> = new Set(['redis']);

export function specOfImage(reference: string): ImageSpec | undefined {
  const withoutDigest = reference.split('@')[0] as string;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return imageSpecs.find((spec) => spec.image === name);
}

const parsed = new Map<string, Dockerfile>();
export function dockerfileOf(spec: ImageSpec): Dockerfile {
  let result = parsed.get(spec.dockerfile);
  if (!result) {
    result = parseDockerfile(readFileSync(fromRoot(spec.dockerfile), 'utf8'));
    parsed.set(spec.dockerfile, result);
  }
  return result;
}

/** The port the image's process listens on when its port setting is left unset. */
export const defaultPort = (spec: ImageSpec): number => Number(settingDefault(spec.portSetting));

/** ENV of the image's final stage: the defaults a container starts with. */
export const imageEnv = (spec: ImageSpec): Map<string, string> => new Map(dockerfileOf(spec).final.env);
