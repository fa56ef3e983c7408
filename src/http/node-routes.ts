import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { LocalNode } from '../node/local.js';
import { parseLimit, parseRange, parseSince } from './query.js';

/**
 * The node API, field for field as the original: /api/node/{status,history,uptime}
 * and the legacy /api/{status,history,uptime}. Unknown `range` values fall back to
 * 24h here (the original's peers and dashboards call these routes); `since` is ours.
 */
export function nodeRoutes(deps: { local: LocalNode; historyCap: number }): Router {
  const { local, historyCap } = deps;
  // Case-sensitive, so "/API/…" cannot reach a route past a check made on "/api/".
  const router = new Router({ sensitive: true });

  router.get('/api/node/status', (ctx) => {
    ctx.body = local.statusBody();
  });

  router.get('/api/node/history', (ctx) => {
    const range = parseRange(ctx.query['range'], false);
    const limit = parseLimit(ctx.query['limit'], historyCap);
    ctx.type = 'application/json';
    ctx.body = Readable.from(local.historyChunks(range, limit, parseSince(ctx.query['since'])));
  });

  router.get('/api/node/uptime', (ctx) => {
    ctx.body = local.uptimeBody(parseRange(ctx.query['range'], false));
  });

  router.get('/api/status', (ctx) => {
    const body = local.statusBody();
    // Before the first sample the original answers {"checks":[],"timestamp":null}.
    ctx.body = body['status'] ?? { checks: [], timestamp: null };
  });

  router.get('/api/history', (ctx) => {
    const range = parseRange(ctx.query['range'], false);
    const limit = parseLimit(ctx.query['limit'], historyCap);
    ctx.body = local.historyBody(range, limit)['history'];
  });

  router.get('/api/uptime', (ctx) => {
    ctx.body = local.uptimeBody(parseRange(ctx.query['range'], false))['services'];
  });

  return router;
}
