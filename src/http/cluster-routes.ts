import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { LocalNode } from '../node/local.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { addClusterFeedRoutes } from './cluster-feed-routes.js';
import { clusterJoiner, sendJoined } from './cluster-gzip.js';
import { nodeParts, viewsFromSnapshots, type ClusterParts, type PeerSnapshots, type PeerViews } from './cluster-parts.js';
import { parseRange } from './query.js';

export type { PeerSnapshots, PeerViews } from './cluster-parts.js';

export interface ClusterRouteDeps {
  local: LocalNode;
  peers: PeerSnapshots;
  /** Each peer with its own versions (src/peers/poller.ts views()); without them, every peer is under versions.peers(). */
  views?: PeerViews;
  cache: AnswerCache;
  versions: Pick<AnswerVersions, 'local' | 'peers' | 'bucket'>;
}

/**
 * /api/cluster: the local node first, then peers in config order. Each node's
 * part is serialised on its own and kept per range and node version (the
 * local node's moves with its history, a peer's with its own refreshes, and
 * every one with the time bucket) as deflate bytes only (cluster-gzip.ts);
 * the answer is those parts in a frame, never one stringify of the whole nor
 * one compression of it, and after one peer's refresh only that peer's part
 * is built again.
 */
export function clusterRoutes(deps: ClusterRouteDeps): Router {
  const { local, cache, versions } = deps;
  const router = createRouter();
  const views = deps.views ?? viewsFromSnapshots(deps.peers, versions.peers);
  const parts: ClusterParts = { local, cache, nodes: (range) => nodeParts({ local, views, versions }, range) };

  const joiner = clusterJoiner(cache, local);
  router.get('/api/cluster', async (ctx) => {
    const range = parseRange(ctx.query['range'], false);
    sendJoined(ctx, await joiner.answer(range, parts.nodes(range)));
  });
  // The compact feed of our dashboard: /api/cluster/summary and /api/cluster/node/:id.
  addClusterFeedRoutes(router, parts);
  return router;
}
