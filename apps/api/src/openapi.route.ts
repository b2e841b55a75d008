import { Router } from 'express';
import { openApiDocument } from './openapi.ts';

/** `GET /openapi.json`: open without auth, like the probes, so that clients and tools can discover the API. */
export function openApiRoute(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(openApiDocument());
  });
  return router;
}
