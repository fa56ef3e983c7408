import Router from '@koa/router';
import { createAnswer, jsonBytes } from './answer.js';
import { openApiDocument, type OpenApiOptions } from './openapi-document.js';
import { sendAnswer } from './send-answer.js';

export type { OpenApiOptions };

/** GET /api/openapi.json: the OpenAPI 3.1 document of this node's routes (under /api/, so it follows the key rule). */
/** `tag` names the document's bytes in its ETag (AnswerCache.nextTag()). */
export function openApiRoutes(opts: OpenApiOptions, tag: string): Router {
  // Fixed for the life of the process: serialised once, its gzip form made at the first gzip request.
  const built = jsonBytes(openApiDocument(opts));
  const answer = createAnswer(built.bytes, built.type, tag);
  // Case-sensitive, so "/API/…" cannot reach a route past a check made on "/api/".
  const router = new Router({ sensitive: true });
  router.get('/api/openapi.json', (ctx) => sendAnswer(ctx, answer));
  return router;
}
