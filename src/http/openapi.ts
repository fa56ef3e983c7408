import type Router from '@koa/router';
import { createRouter } from './router.js';
import { createAnswer, jsonBytes, type Answer } from './answer.js';
import type { OpenApiOptions } from './openapi-document.js';
import { sendAnswer } from './send-answer.js';

export type { OpenApiOptions };

/** GET /api/openapi.json: the OpenAPI 3.1 document of this node's routes (under /api/, so it follows the key rule). */
/** `tag` names the document's bytes in its ETag (AnswerCache.nextTag()). */
export function openApiRoutes(opts: OpenApiOptions, tag: string): Router {
  // Built at the first request (the document and the schema converter are not held before),
  // then fixed for the life of the process: serialised once, its gzip form made at the first gzip request.
  let answer: Promise<Answer> | undefined;
  const build = async (): Promise<Answer> => {
    const { openApiDocument } = await import('./openapi-document.js');
    const built = jsonBytes(openApiDocument(opts));
    return createAnswer(built.bytes, built.type, tag);
  };
  const router = createRouter();
  router.get('/api/openapi.json', async (ctx) => sendAnswer(ctx, await (answer ??= build())));
  return router;
}
