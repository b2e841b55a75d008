/**
 * Facts about the code that the deployment files must agree with: the settings schema,
 * the apps, the model repository and the queue naming.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZodType } from 'zod';
import { ConfigError, envSchema, loadEnv } from '../../../packages/config/src/index.ts';
import { inferenceQueueName } from '../../../packages/queues/src/inference-queue-contract.ts';

export { envSchema, inferenceQueueName };

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fromRoot = (...parts: string[]): string => path.join(repoRoot, ...parts);
export const readText = (relative: string): string => readFileSync(fromRoot(relative), 'utf8');

const shape = envSchema.shape as unknown as Record<string, ZodType>;

/** Every setting the code reads (keys of envSchema). */
export const settingNames: ReadonlySet<string> = new Set(Object.keys(shape));

/**
 * Variables read by the runtime, the libraries or the container tooling rather than by
 * packages/config. Anything else in a manifest, compose file or Dockerfile is a typo or a
 * setting the code does not have (yet).
 */
export const runtimeVariables: ReadonlySet<string> = new Set([
  'NODE_OPTIONS',
  'UV_THREADPOOL_SIZE',
  'MALLOC_ARENA_MAX',
  'ONNXRUNTIME_NODE_INSTALL',
  'HOME',
  'CI',
  'TZ',
  // Set by the node base image (the official one and test/containers/base-images.sh alike).
  'PATH',
  'NODE_VERSION',
  'NODE_EXTRA_CA_CERTS',
]);
const runtimePrefixes = ['NVIDIA_'];

export function isKnownVariable(name: string): boolean {
  return settingNames.has(name) || runtimeVariables.has(name) || runtimePrefixes.some((p) => name.startsWith(p));
}

/** The default of one setting, as the code would use it when the variable is unset. */
export function settingDefault(name: string): unknown {
  const schema = shape[name];
  if (!schema) throw new Error(`${name} is not a setting of envSchema`);
  const parsed = schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Validate an environment as the processes do, with loadEnv (empty strings count as unset; each
 * value checked, then the combinations, e.g. REDIS_CLUSTER_NODES with REDIS_SENTINELS). Returns
 * the problems.
 */
export function settingProblems(env: Record<string, string>): string[] {
  try {
    loadEnv(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

export const API_PORT = Number(settingDefault('PORT'));

/** Paths the services answer on (API and worker alike). */
export const probePaths: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Workspace apps: directory name -> package name, for those with a src/main.ts. */
export function apps(): Map<string, string> {
  const result = new Map<string, string>();
  for (const dir of readdirSync(fromRoot('apps'))) {
    const manifest = fromRoot('apps', dir, 'package.json');
    if (!existsSync(manifest) || !existsSync(fromRoot('apps', dir, 'src', 'main.ts'))) continue;
    result.set(dir, (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name);
  }
  return result;
}

/** The webhook dispatcher is checked against the code only once it exists. */
export const dispatcherExists = (): boolean => existsSync(fromRoot('apps', 'webhook-dispatcher', 'src', 'main.ts'));

/** Models of the repository's model directory (each has a model.json). */
export function modelNames(): string[] {
  return readdirSync(fromRoot('models')).filter((name) => existsSync(fromRoot('models', name, 'model.json')));
}

export const rootPackage = JSON.parse(readText('package.json')) as {
  packageManager?: string;
  engines?: { node?: string };
};
