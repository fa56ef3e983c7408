import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { Registry } from 'prom-client';
import { toBytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { authMiddleware, type AuthFailures } from './auth.js';
import { sendAnswer } from './send-answer.js';

export interface MetricsRouteDeps {
  /** The registry; it is built at the first scrape (src/lazy-parts.ts), hence a promise. */
  registry: () => Promise<Registry>;
  /** The API key; /metrics then needs `Authorization: Bearer <api_key>` like /api/*. */
  apiKey?: string | undefined;
  /** metrics_public: serve /metrics without the key even when one is set. */
  public?: boolean;
  now?: () => number;
  /** The wrong-key budget shared with /api/* (default: this route's own). */
  failures?: AuthFailures;
  /** Where the text is kept for a second: a flood of scrapes costs one collection per second. */
  cache: AnswerCache;
  versions: Pick<AnswerVersions, 'metrics'>;
}

/**
 * GET /metrics in the Prometheus text format. It is outside /api/, so the
 * key check is this route's own (its failed-attempt budget shared with /api/* when given); values
 * are collected from the live objects on each scrape.
 */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = createRouter();
  const auth = authMiddleware({
    apiKey: deps.public === true ? undefined : deps.apiKey,
    prefix: '/metrics',
    ...(deps.now !== undefined ? { now: deps.now } : {}),
    ...(deps.failures !== undefined ? { failures: deps.failures } : {}),
  });
  router.get('/metrics', auth, async (ctx) => {
    const answer = await deps.cache.answerAsync('metrics', deps.versions.metrics(), async () => {
      const registry = await deps.registry();
      return { bytes: toBytes([await registry.metrics()]), type: registry.contentType };
    });
    ctx.set('Cache-Control', 'no-store');
    await sendAnswer(ctx, answer, deps.cache);
  });
  return router;
}
