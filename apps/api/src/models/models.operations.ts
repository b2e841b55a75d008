import { modelRoutingSchema } from '@infer/contracts';
import { z } from 'zod';
import { errors, json, ref, V1_ERRORS } from '../http/openapi-parts.ts';
import type { Operation } from '../http/operation.ts';

/** The model catalog (models.route.ts mounts each with its handler). */
export const MODELS_OPERATIONS = {
  listModels: {
    method: 'get',
    path: '/v1/models',
    operationId: 'listModels',
    tags: ['models'],
    summary: 'The models served, with their input contract, live workers and recent throughput',
    description:
      "`models` is our own view of each model. The same answer is also Replicate's page of models (`results`, " +
      'each as `GET /v1/models/{owner}/{name}` answers it, and `next` / `previous`, null: every model is in this ' +
      "one page), so that Replicate's `models.list()` and `paginate` find every model.",
    responses: { '200': { description: 'models', content: json(ref('ModelList')) }, ...errors(...V1_ERRORS) },
  },
  getModel: {
    method: 'get',
    path: '/v1/models/{name}',
    operationId: 'getModel',
    tags: ['models'],
    summary: 'One model',
    request: { params: z.object({ name: z.string().min(1) }) },
    responses: {
      '200': { description: 'the model', content: json(ref('ModelView')) },
      ...errors('model_not_found', ...V1_ERRORS),
    },
  },
  getModelRouting: {
    method: 'get',
    path: '/v1/models/{name}/routing',
    operationId: 'getModelRouting',
    tags: ['models'],
    summary: "The model's routing policy and each shadow candidate's agreement with the versions that answered",
    description:
      '`shadow_stats` covers the last `window_seconds`: jobs compared, top-1 agreement, mean absolute score ' +
      "difference, the candidate's inference p50/p95 against the primary's, errors on either side and shadow runs " +
      'dropped under load.',
    request: { params: z.object({ name: z.string().min(1) }) },
    responses: {
      '200': { description: 'routing and shadow stats', content: json(ref('ModelRoutingView')) },
      ...errors('model_not_found', ...V1_ERRORS),
    },
  },
  putModelRouting: {
    method: 'put',
    path: '/v1/models/{name}/routing',
    operationId: 'putModelRouting',
    tags: ['models'],
    summary: 'Set the routing policy (admin): default version, canary share, shadow share; promote and roll back',
    description:
      'Takes effect at the next submission on every API replica. Needs the `admin` scope when auth is on. ' +
      'Every version named must be in the repository. A job that names a version is never rerouted.',
    request: {
      params: z.object({ name: z.string().min(1) }),
      body: { required: true, content: { 'application/json': modelRoutingSchema } },
    },
    responses: {
      '200': { description: 'the policy now in force, with shadow stats', content: json(ref('ModelRoutingView')) },
      ...errors('invalid_request', 'forbidden', 'model_not_found', ...V1_ERRORS),
    },
  },
  reloadModels: {
    method: 'post',
    path: '/v1/models:reload',
    operationId: 'reloadModels',
    tags: ['models'],
    summary: 'Ask every worker to look at the model repository now (admin)',
    description:
      'Workers also poll it every `MODEL_REPOSITORY_POLL_SECONDS`. Answers at once with the number of processes ' +
      'that heard the request; watch `GET /v1/models` for `live_versions`, `loading_versions` and `failed_versions`.',
    responses: {
      '202': {
        description: 'the request was published',
        content: json({
          type: 'object',
          properties: { notified: { type: 'integer', minimum: 0 } },
          required: ['notified'],
        }),
      },
      ...errors('forbidden', ...V1_ERRORS),
    },
  },
} satisfies Record<string, Operation>;
