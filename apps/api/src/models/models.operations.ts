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
} satisfies Record<string, Operation>;
