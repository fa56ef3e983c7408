import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { LocalNode } from '../node/local.js';
import type { PeerSnapshot, RangeName } from '../types.js';
import { JSON_TYPE, toBytes, type Bytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { parseRange } from './query.js';
import { sendAnswer } from './send-answer.js';
import { addClusterFeedRoutes } from './cluster-feed-routes.js';

/** Peers' snapshots from cache; must never wait on a peer. */
export type PeerSnapshots = (range: RangeName) => PeerSnapshot[];

export interface ClusterRouteDeps {
  local: LocalNode;
  peers: PeerSnapshots;
  cache: AnswerCache;
  versions: Pick<AnswerVersions, 'local' | 'peers'>;
}

/**
 * /api/cluster: the local node first, then peers in config order. Each node's
 * part is serialised on its own and kept per range until its data changes
 * (the local node's with its history, the peers' with each refresh); the
 * answer is those parts in a frame, never one stringify of the whole.
 */
export function clusterRoutes(deps: ClusterRouteDeps): Router {
  const { local, cache, versions } = deps;
  const router = createRouter();

  const localPart = (range: RangeName, version: string): Bytes =>
    cache.answer(`cluster/local:${range}`, version, () => ({ bytes: toBytes([JSON.stringify(local.snapshot(range))]), type: JSON_TYPE }));
  const peerParts = (range: RangeName, version: string): Bytes =>
    cache.answer(`cluster/peers:${range}`, version, () => ({
      // One part per peer and a comma before each, so the frame only has to join them.
      bytes: toBytes(deps.peers(range).map((s) => `,${JSON.stringify(s)}`)),
      type: JSON_TYPE,
    }));

  router.get('/api/cluster', (ctx) => {
    const range = parseRange(ctx.query['range'], false);
    const [lv, pv] = [versions.local(), versions.peers()];
    const answer = cache.answer(`cluster:${range}`, `${lv}|${pv}`, () => {
      const w = local.window(range);
      const head = JSON.stringify({
        generated_at: new Date(w.end).toISOString(),
        range,
        range_start: new Date(w.start).toISOString(),
        range_end: new Date(w.end).toISOString(),
      });
      const nodes = [localPart(range, lv), peerParts(range, pv)];
      return {
        bytes: toBytes([`${head.slice(0, -1)},"nodes":[`, ...nodes.flatMap((n) => n.parts), ']}']),
        type: JSON_TYPE,
      };
    });
    return sendAnswer(ctx, answer, cache);
  });
  // The compact feed of our dashboard: /api/cluster/summary and /api/cluster/node/:id.
  addClusterFeedRoutes(router, deps);
  return router;
}
