import { AppError, type WorkerHeartbeat } from '@infer/contracts';
import type { WorkerRegistry } from '@infer/job-store';
import { operationRoutes } from '../http/operation.ts';
import type { ModelLiveness, QueueInsight } from '../jobs/queue-insight.ts';
import { baseUrlOf, replicateModelOf } from '../replicate/replicate-model.ts';
import type { CatalogEntry, ModelCatalog } from './model-catalog.ts';
import { MODELS_OPERATIONS } from './models.operations.ts';

export interface ModelView {
  name: string;
  description: string | null;
  labels: string[];
  input: { width: number; height: number; layout: string; color_order: string; resize: string };
  output: { activation: string };
  versions: string[];
  /** What a job without `version` runs. */
  default_version: string;
  max_batch_size: number;
  /**
   * The batch size cap live workers chose for the default version on their hardware
   * (BATCH_AUTOTUNE; the largest if they differ), or their MAX_BATCH_SIZE bound; null
   * while no live worker reports one.
   */
  batch_size_limit: number | null;
  /** Live workers serving the model (heartbeat within WORKER_HEARTBEAT_TTL_MS), per version and in total. */
  workers: number;
  live_versions: string[];
  /** False while no worker serves it: jobs are still accepted and wait in its queue. */
  available: boolean;
  /** Workers started for it that are still loading it (not yet taking jobs). */
  loading_workers: number;
  /** Jobs per second its ready workers finished over the last minute. */
  throughput_per_second: number;
}

export interface ModelsRouteDeps {
  catalog: ModelCatalog;
  workers: WorkerRegistry;
  heartbeatTtlMs: number;
  insight: QueueInsight;
}

/**
 * `GET /v1/models` and `GET /v1/models/:name`: the catalog plus which models have live workers now.
 * The list also answers Replicate's `GET /v1/models` (the same path): `results`, `next`, `previous`.
 */
export const modelsRoutes = operationRoutes(MODELS_OPERATIONS, (deps: ModelsRouteDeps) => ({
  listModels: async (_input, req, res) => {
    const entries = deps.catalog.list();
    const alive = await deps.workers.alive(deps.heartbeatTtlMs);
    const liveness = await Promise.all(entries.map((entry) => deps.insight.liveness(entry.name)));
    const baseUrl = baseUrlOf(req);
    res.json({
      models: entries.map((entry, i) => view(entry, alive, liveness[i] as ModelLiveness)),
      // Replicate's page of the same models, for its clients' models.list() (all in one page).
      results: entries.map((entry) => replicateModelOf(entry, baseUrl)),
      next: null,
      previous: null,
    });
  },

  getModel: async ({ params }, _req, res) => {
    const entry = deps.catalog.list().find((candidate) => candidate.name === params.name);
    if (!entry) {
      throw new AppError('model_not_found', `no model "${params.name}" is served here`, {
        details: { model: params.name },
      });
    }
    res.json(view(entry, await deps.workers.alive(deps.heartbeatTtlMs), await deps.insight.liveness(entry.name)));
  },
}));

function view(entry: CatalogEntry, alive: WorkerHeartbeat[], liveness: ModelLiveness): ModelView {
  const serving = alive.flatMap((worker) => worker.models.filter((model) => model.name === entry.name));
  const { config } = entry;
  const defaultVersion = entry.versions[entry.versions.length - 1] ?? '';
  const limits = serving.flatMap((model) => model.batch_limits[defaultVersion] ?? []);
  return {
    name: entry.name,
    description: config.description ?? null,
    labels: config.labels,
    input: {
      width: config.input.width,
      height: config.input.height,
      layout: config.input.layout,
      color_order: config.input.color_order,
      resize: config.input.resize,
    },
    output: { activation: config.output.activation },
    versions: entry.versions,
    default_version: defaultVersion,
    max_batch_size: config.max_batch_size,
    batch_size_limit: limits.length > 0 ? Math.max(...limits) : null,
    workers: serving.length,
    live_versions: [...new Set(serving.flatMap((model) => model.versions))].sort((a, b) => Number(a) - Number(b)),
    available: serving.length > 0,
    loading_workers: liveness.loading,
    throughput_per_second: liveness.throughput,
  };
}
