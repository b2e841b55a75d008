import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, Router } from 'express';
import swaggerUiDist from 'swagger-ui-dist';

const PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));

/** The pages' own routes: for people, so not part of the API's OpenAPI document. */
export const PAGE_ROUTES = { console: '/', docs: '/docs' } as const;

/**
 * Pages for people: the web console at `/` and the API reference at `/docs`.
 * Static files only, nothing fetched from elsewhere (works offline); a strict
 * Content-Security-Policy (scripts from this origin only), since these pages
 * handle API keys.
 */
export function pagesRoute(): Router {
  const router = Router();
  // Swagger UI sets inline styles; images are previews of the user's own files (blob:) and Swagger's icons (data:).
  const secured = pageHeaders("img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; base-uri 'none'");
  const page =
    (file: string): RequestHandler =>
    (_req, res) => {
      res.sendFile(file, { root: PUBLIC, headers: { 'Cache-Control': 'no-cache' } });
    };
  router.get(PAGE_ROUTES.console, secured, page('index.html'));
  router.get(PAGE_ROUTES.docs, secured, page('docs.html'));
  router.use('/console', secured, express.static(PUBLIC, { index: false, maxAge: '5m' }));
  // The package's own index.html and initializer open the Petstore demo from the internet: not served.
  const demo: RequestHandler = (req, _res, next) =>
    next(/\/(index\.html|swagger-initializer\.js)$/.test(req.path) ? 'router' : undefined);
  router.use(
    '/docs/assets',
    secured,
    demo,
    express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false, maxAge: '1h' }),
  );
  return router;
}

/**
 * Security headers of a page for people: resources from this origin only (on top of
 * `extra`), never framed, no referrer leaking job ids to other sites.
 */
export function pageHeaders(extra: string): RequestHandler {
  const policy = `default-src 'self'; ${extra}; frame-ancestors 'none'; form-action 'self'`;
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}
