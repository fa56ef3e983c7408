import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { Context } from 'koa';
import type { LocalNode } from '../node/local.js';
import { COMPACT_PAGE_TYPE, encodeHistoryPage } from '../peers/compact-page.js';
import type { RangeName } from '../types.js';
import { JSON_TYPE, jsonBytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { parseLimit, parseRange, parseSince } from './query.js';
import { sendAnswer } from './send-answer.js';
import { sendChunks } from './send-chunks.js';

export interface NodeRouteDeps {
  local: LocalNode;
  historyCap: number;
  cache: AnswerCache;
  versions: Pick<AnswerVersions, 'local'>;
}

/**
 * The node API, field for field as the original: /api/node/{status,history,uptime}
 * and the legacy /api/{status,history,uptime}. Unknown `range` values fall back to
 * 24h here (the original's peers and dashboards call these routes); `since` is ours.
 * Each answer is built once per data version and served as bytes (see answer-cache.ts);
 * histories stream, and are kept only when small enough.
 */
export function nodeRoutes(deps: NodeRouteDeps): Router {
  const { local, historyCap, cache, versions } = deps;
  const router = createRouter();
  const json = (ctx: Context, key: string, build: () => unknown) =>
    sendAnswer(ctx, cache.answer(key, versions.local(), () => jsonBytes(build())), cache);
  /** A history answer: from bytes when kept, else streamed (and kept when it turns out small enough). */
  const history = (ctx: Context, key: string, chunks: () => Iterable<string>) => {
    const version = versions.local();
    const kept = cache.get(key, version);
    if (kept !== undefined) return sendAnswer(ctx, kept, cache);
    sendChunks(ctx, chunks, JSON_TYPE, { cache, key, version });
    return Promise.resolve();
  };
  const range = (ctx: Context): RangeName => parseRange(ctx.query['range'], false);
  const limit = (ctx: Context): number => parseLimit(ctx.query['limit'], historyCap);

  router.get('/api/node/status', (ctx) => json(ctx, 'node/status', () => local.statusBody()));

  router.get('/api/node/history', (ctx) => {
    const [r, l, since] = [range(ctx), limit(ctx), parseSince(ctx.query['since'])];
    // Ours: a peer of ours that saw `cols` in our features asks for the compact page form (gzip inside, never kept).
    if (ctx.query['format'] === 'cols') {
      const page = local.historyColumns(r, l, since);
      ctx.type = COMPACT_PAGE_TYPE;
      ctx.body = encodeHistoryPage(page.fields, page.columns);
      return;
    }
    // A peer's `since` pull is asked once per cursor: streamed, never kept.
    if (since !== undefined) return sendChunks(ctx, () => local.historyChunks(r, l, since), JSON_TYPE);
    return history(ctx, `node/history:${r}:${l}`, () => local.historyChunks(r, l));
  });

  router.get('/api/node/uptime', (ctx) => {
    const r = range(ctx);
    return json(ctx, `node/uptime:${r}`, () => local.uptimeBody(r));
  });

  router.get('/api/status', (ctx) =>
    // Before the first sample the original answers {"checks":[],"timestamp":null}.
    json(ctx, 'status', () => local.statusBody()['status'] ?? { checks: [], timestamp: null }));

  router.get('/api/history', (ctx) => {
    const [r, l] = [range(ctx), limit(ctx)];
    return history(ctx, `history:${r}:${l}`, () => local.legacyHistoryChunks(r, l));
  });

  router.get('/api/uptime', (ctx) => {
    const r = range(ctx);
    return json(ctx, `uptime:${r}`, () => local.uptimeBody(r)['services']);
  });

  return router;
}
