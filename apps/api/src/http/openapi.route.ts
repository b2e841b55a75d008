import { Router } from 'express';
import { OPENAPI_OPERATIONS, openApiDocument } from './openapi.ts';
import { addOperation } from './operation.ts';

/** `GET /openapi.json`: open without auth, like the probes, so that clients and tools can discover the API. */
export function openApiRoute(): Router {
  const router = Router();
  addOperation(router, OPENAPI_OPERATIONS.openapi, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(openApiDocument());
  });
  return router;
}
