import Router from '@koa/router';
import { openApiDocument, type OpenApiOptions } from './openapi-document.js';

export type { OpenApiOptions };

/** GET /api/openapi.json: the OpenAPI 3.1 document of this node's routes (under /api/, so it follows the key rule). */
export function openApiRoutes(opts: OpenApiOptions): Router {
  const body = JSON.stringify(openApiDocument(opts));
  // Case-sensitive, so "/API/…" cannot reach a route past a check made on "/api/".
  const router = new Router({ sensitive: true });
  router.get('/api/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = body;
  });
  return router;
}
