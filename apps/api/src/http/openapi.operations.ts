import { json } from './openapi-parts.ts';
import type { Operation } from './operation.ts';

/** This document (openapi.route.ts serves it). */
export const OPENAPI_OPERATIONS = {
  openapi: {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tags: ['operations'],
    summary: 'This document',
    open: true,
    responses: { '200': { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) } },
  },
} satisfies Record<string, Operation>;
