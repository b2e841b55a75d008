import { OPENAPI_OPERATIONS } from './openapi.operations.ts';
import type { Json } from './openapi-parts.ts';
import { operationRoutes } from './operation.ts';

/** `GET /openapi.json`: open without auth, like the probes, so that clients and tools can discover the API. */
export const openApiRoutes = operationRoutes(OPENAPI_OPERATIONS, (deps: { document: () => Json }) => ({
  openapi: (_input, _req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.document());
  },
}));
