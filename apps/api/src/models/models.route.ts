import {
  AppError,
  type ModelRouting,
  type ModelRoutingView,
  modelRoutingSchema,
  type WorkerHeartbeat,
} from '@infer/contracts';
import type { ModelRoutingStore, ShadowStatsStore, WorkerRegistry } from '@infer/job-store';
import express from 'express';
import { bodyError } from '../http/body-parsers.ts';
import { operationRoutes } from '../http/operation.ts';
import type { ModelLiveness, QueueInsight } from '../jobs/queue-insight.ts';
import { validate } from '../jobs/submit-body.ts';
import { ADMIN_SCOPE, type Authenticator, requireScope } from '../platform/auth.ts';
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
  /** Versions live workers are loading now (load checks, warm-up). */
  loading_versions: string[];
  /** Versions a live worker could not load, with its reason: never served. */
  failed_versions: Record<string, string>;
  /** The routing policy (PUT /v1/models/{name}/routing); null: the newest version serves unpinned jobs. */
  routing: ModelRouting | null;
}

export interface ModelsRouteDeps {
  catalog: ModelCatalog;
  workers: WorkerRegistry;
  heartbeatTtlMs: number;
  insight: QueueInsight;
  routing: ModelRoutingStore;
  shadowStats: ShadowStatsStore;
  /** Routing changes and reloads need the admin scope while auth is on. */
  auth: Authenticator | undefined;
}

/**
 * `GET /v1/models` and `GET /v1/models/:name`: the catalog plus which models have live workers now.
 * The list also answers Replicate's `GET /v1/models` (the same path): `results`, `next`, `previous`.
 */
export const modelsRoutes = operationRoutes(MODELS_OPERATIONS, (deps: ModelsRouteDeps) => {
  const parseJson = express.json({ limit: 16 * 1024 });
  const admin = requireScope(deps.auth, ADMIN_SCOPE);
  const entryOf = (name: string) => {
    const entry = deps.catalog.list().find((candidate) => candidate.name === name);
    if (!entry) {
      throw new AppError('model_not_found', `no model "${name}" is served here`, { details: { model: name } });
    }
    return entry;
  };
  const routingView = async (name: string, routing: ModelRouting | null): Promise<ModelRoutingView> => ({
    model: name,
    routing,
    default_version: routing?.default_version ?? entryOf(name).versions.at(-1) ?? null,
    shadow_stats: await deps.shadowStats.read(name),
  });
  return {
    listModels: async (_input, req, res) => {
      const entries = deps.catalog.list();
      const alive = await deps.workers.alive(deps.heartbeatTtlMs);
      const liveness = await Promise.all(entries.map((entry) => deps.insight.liveness(entry.name)));
      const routing = await deps.routing.getMany(entries.map((entry) => entry.name));
      const baseUrl = baseUrlOf(req);
      res.json({
        models: entries.map((entry, i) =>
          view(entry, alive, liveness[i] as ModelLiveness, routing.get(entry.name) ?? null),
        ),
        // Replicate's page of the same models, for its clients' models.list() (all in one page).
        results: entries.map((entry) => replicateModelOf(entry, baseUrl)),
        next: null,
        previous: null,
      });
    },

    getModel: async ({ params }, _req, res) => {
      const entry = entryOf(params.name);
      res.json(
        view(
          entry,
          await deps.workers.alive(deps.heartbeatTtlMs),
          await deps.insight.liveness(entry.name),
          await deps.routing.get(entry.name),
        ),
      );
    },

    getModelRouting: async ({ params }, _req, res) => {
      entryOf(params.name);
      res.json(await routingView(params.name, await deps.routing.get(params.name)));
    },

    putModelRouting: [
      admin,
      (req, res, next) => parseJson(req, res, (error?: unknown) => next(error ? bodyError(error, 'json') : undefined)),
      async ({ params }, req, res) => {
        const entry = entryOf(params.name);
        const routing = validate(modelRoutingSchema, req.body);
        // A version the repository does not hold now (nor any live worker) would fail every job routed to it.
        deps.catalog.refresh();
        const live = new Set(
          (await deps.workers.alive(deps.heartbeatTtlMs)).flatMap((worker) =>
            worker.models.filter((model) => model.name === entry.name).flatMap((model) => model.versions),
          ),
        );
        const named: [string, string | undefined][] = [
          ['default_version', routing.default_version],
          ['canary.version', routing.canary?.version],
          ['shadow.version', routing.shadow?.version],
        ];
        for (const [field, version] of named) {
          if (version !== undefined && !entry.versions.includes(version) && !live.has(version)) {
            throw new AppError('invalid_request', `${field}: model "${entry.name}" has no version "${version}"`, {
              details: { field, versions: entry.versions },
            });
          }
        }
        await deps.routing.put(entry.name, routing);
        res.json(await routingView(entry.name, routing));
      },
    ],

    reloadModels: [
      admin,
      async (_input, _req, res) => {
        deps.catalog.refresh();
        res.status(202).json({ notified: await deps.routing.requestReload() });
      },
    ],
  };
});

function view(
  entry: CatalogEntry,
  alive: WorkerHeartbeat[],
  liveness: ModelLiveness,
  routing: ModelRouting | null,
): ModelView {
  const serving = alive.flatMap((worker) => worker.models.filter((model) => model.name === entry.name));
  const { config } = entry;
  const defaultVersion = routing?.default_version ?? entry.versions[entry.versions.length - 1] ?? '';
  const failed: Record<string, string> = {};
  for (const model of serving) Object.assign(failed, model.failed_versions);
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
    loading_versions: [...new Set(serving.flatMap((model) => model.loading_versions))].sort(
      (a, b) => Number(a) - Number(b),
    ),
    failed_versions: failed,
    routing,
  };
}
