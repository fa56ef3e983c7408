import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { LocalNode } from '../node/local.js';
import type { RangeName } from '../types.js';
import { createAnswer, JSON_TYPE, toBytes, type Bytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { addClusterFeedRoutes } from './cluster-feed-routes.js';
import { clusterHeadOpen, joinedVersion, nodeParts, viewsFromSnapshots, type ClusterParts, type NodePart, type PeerSnapshots, type PeerViews } from './cluster-parts.js';
import { parseRange } from './query.js';
import { sendAnswer } from './send-answer.js';

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
 * every one with the time bucket); the answer is those parts in a frame, never
 * one stringify of the whole, and after one peer's refresh only that peer's
 * part is built again.
 */
export function clusterRoutes(deps: ClusterRouteDeps): Router {
  const { local, cache, versions } = deps;
  const router = createRouter();
  const views = deps.views ?? viewsFromSnapshots(deps.peers, versions.peers);
  const parts: ClusterParts = { local, cache, nodes: (range) => nodeParts({ local, views, versions }, range) };

  // A comma before every node but the first, so the frame only has to join them.
  const nodePart = (range: RangeName, n: NodePart, first: boolean, count: number): Bytes => {
    const key = `cluster/node:${range}:${n.key}`;
    const kept = cache.get(key, n.version);
    if (kept !== undefined) return kept;
    const bytes = toBytes([`${first ? '' : ','}${JSON.stringify(n.snapshot())}`]);
    // A cluster whose parts would fill more than half the cache would push every other kept answer
    // (the feed's rows among them) out at each request: its parts are served, not kept.
    return bytes.length * count <= cache.maxBytes / 2 ? cache.put(key, n.version, createAnswer(bytes, JSON_TYPE, cache.nextTag())) : bytes;
  };

  router.get('/api/cluster', (ctx) => {
    const range = parseRange(ctx.query['range'], false);
    const nodes = parts.nodes(range);
    const answer = cache.answer(`cluster:${range}`, joinedVersion(nodes, (n) => n.version), () => {
      const bodies = nodes.map((n, i) => nodePart(range, n, i === 0, nodes.length));
      return { bytes: toBytes([clusterHeadOpen(local, range), ...bodies.flatMap((b) => b.parts), ']}']), type: JSON_TYPE };
    });
    return sendAnswer(ctx, answer, cache);
  });
  // The compact feed of our dashboard: /api/cluster/summary and /api/cluster/node/:id.
  addClusterFeedRoutes(router, parts);
  return router;
}
