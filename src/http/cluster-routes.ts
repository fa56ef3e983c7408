import Router from '@koa/router';
import type { LocalNode } from '../node/local.js';
import type { PeerSnapshot, RangeName } from '../types.js';
import { parseRange } from './query.js';

/** Peers' snapshots from cache; must never wait on a peer. */
export type PeerSnapshots = (range: RangeName) => PeerSnapshot[];

/** /api/cluster: the local node first, then peers in config order. */
export function clusterRoutes(deps: { local: LocalNode; peers: PeerSnapshots }): Router {
  // Case-sensitive, so "/API/…" cannot reach a route past a check made on "/api/".
  const router = new Router({ sensitive: true });
  router.get('/api/cluster', (ctx) => {
    const range = parseRange(ctx.query['range'], false);
    const w = deps.local.window(range);
    ctx.body = {
      generated_at: new Date(w.end).toISOString(),
      range,
      range_start: new Date(w.start).toISOString(),
      range_end: new Date(w.end).toISOString(),
      nodes: [deps.local.snapshot(range), ...deps.peers(range)],
    };
  });
  return router;
}
