import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type ModelConfig, modelConfigSchema } from '@infer/contracts';

export interface ModelEntry {
  config: ModelConfig;
  /** Version directories holding a model.onnx, oldest first (numeric order). */
  versions: string[];
  dir: string;
}

export class ModelRepositoryError extends Error {
  override name = 'ModelRepositoryError';
}

export const modelFile = (entry: ModelEntry, version: string): string => path.join(entry.dir, version, 'model.onnx');

/**
 * The file a version's folder holds once it is complete. A worker that is already running
 * takes a new version only when this marker is there (written after model.onnx, or inside a
 * staging folder renamed into place): a model.onnx still being copied is never loaded.
 * Versions present when a worker starts are taken as they are (see docs/models.md).
 */
export const READY_MARKER = 'READY';

/** Whether `<version>/READY` exists: the version may be hot-loaded. */
export const isVersionReady = (entry: ModelEntry, version: string): boolean =>
  existsSync(path.join(entry.dir, version, READY_MARKER));
export const newestVersion = (entry: ModelEntry): string => entry.versions[entry.versions.length - 1] as string;

/** Read one model directory: validate model.json and list its versions. */
export function readModel(dir: string): ModelEntry {
  const configPath = path.join(dir, 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new ModelRepositoryError(`${configPath}: cannot read JSON (${(error as Error).message})`);
  }
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ModelRepositoryError(`${configPath}: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (config.name !== path.basename(dir)) {
    throw new ModelRepositoryError(
      `${configPath}: name "${config.name}" differs from its directory "${path.basename(dir)}"`,
    );
  }
  const versions = readdirSync(dir)
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(dir, name, 'model.onnx')))
    .sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new ModelRepositoryError(`${dir}: no <version>/model.onnx found`);
  return { config, versions, dir };
}

/**
 * Load the repository `<root>/<name>/model.json + <version>/model.onnx`.
 * `only` limits it to some models (WORKER_MODELS); naming a missing one is an error.
 */
export function loadModelRepository(root: string, only: readonly string[] = []): Map<string, ModelEntry> {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ModelRepositoryError(`model repository ${path.resolve(root)} is not a directory`);
  }
  const names = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'model.json')))
    .sort();
  const missing = only.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new ModelRepositoryError(`models not found in ${path.resolve(root)}: ${missing.join(', ')}`);
  }
  const models = new Map<string, ModelEntry>();
  for (const name of only.length > 0 ? only : names) models.set(name, readModel(path.join(root, name)));
  if (models.size === 0) throw new ModelRepositoryError(`model repository ${path.resolve(root)} holds no model`);
  return models;
}
