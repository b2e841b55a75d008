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
