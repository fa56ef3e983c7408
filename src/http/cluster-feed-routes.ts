/**
 * The compact feed of our dashboard (src/views/cluster-feed.ts):
 * `/api/cluster/summary` (every node, briefly) and `/api/cluster/node/:id`
 * (one node's rows). Both are kept as bytes per data version with an ETag,
 * like /api/cluster: the local node's parts are rebuilt with its history,
 * the peers' after a refresh; one build of a node gives its summary and its
 * rows, so the rows a dashboard asks for next are already there.
 */
import type Router from '@koa/router';
import type { RangeName } from '../types.js';
import { feedNode, type FeedHead } from '../views/cluster-feed.js';
import { createAnswer, JSON_TYPE, toBytes, type Answer } from './answer.js';
import type { ClusterRouteDeps } from './cluster-routes.js';
import { HttpError } from './errors.js';
import { parseRange } from './query.js';
import { sendAnswer } from './send-answer.js';

type Group = 'local' | 'peers';

/** Node ids longer than this name no node (ids are bounded by the config schema and peer validation). */
const MAX_ID = 256;

/** Adds the feed's routes to the cluster router. */
export function addClusterFeedRoutes(router: Router, deps: ClusterRouteDeps): void {
  const { local, cache, versions } = deps;
  const versionOf = (g: Group): string => (g === 'local' ? `L${versions.local()}` : `P${versions.peers()}`);
  const nodeKey = (range: RangeName, id: string) => `cluster/feed-node:${range}:${id}`;
  /** The node ids of each group's last build, so an unknown id never costs a build. */
  const members = new Map<string, { version: string; ids: Set<string> }>();

  const head = (range: RangeName): FeedHead => {
    const w = local.window(range);
    const iso = (ms: number) => new Date(ms).toISOString();
    return { generated_at: iso(w.end), range, range_start: iso(w.start), range_end: iso(w.end) };
  };

  /** Builds a group's nodes: keeps each node's rows, returns the summary part (peers with a comma before each). */
  const build = (g: Group, range: RangeName, version: string): Answer => {
    const snaps = g === 'local' ? [local.snapshot(range)] : deps.peers(range);
    const h = head(range);
    const parts: string[] = [];
    const ids = new Set<string>();
    for (const snap of snaps) {
      const { summary, detail } = feedNode(snap, h);
      parts.push(g === 'local' ? JSON.stringify(summary) : `,${JSON.stringify(summary)}`);
      // A duplicated id (a peer listed twice) shows its first entry's rows, as /api/cluster's first match.
      if (ids.has(snap.node.id)) continue;
      ids.add(snap.node.id);
      cache.put(nodeKey(range, snap.node.id), version, createAnswer(toBytes([JSON.stringify(detail)]), JSON_TYPE, cache.nextTag()));
    }
    members.set(`${g}:${range}`, { version, ids });
    const answer = createAnswer(toBytes(parts), JSON_TYPE, cache.nextTag());
    return cache.put(`cluster/feed-${g}:${range}`, version, answer);
  };

  const group = (g: Group, range: RangeName): { answer: Answer; version: string } => {
    const version = versionOf(g);
    return { answer: cache.get(`cluster/feed-${g}:${range}`, version) ?? build(g, range, version), version };
  };

  router.get('/api/cluster/summary', (ctx) => {
    const range = parseRange(ctx.query['range'], true);
    const [lv, pv] = [versionOf('local'), versionOf('peers')];
    const answer = cache.answer(`cluster/feed-summary:${range}`, `${lv}|${pv}`, () => {
      const h = JSON.stringify(head(range));
      const nodes = [group('local', range).answer, group('peers', range).answer];
      return { bytes: toBytes([`${h.slice(0, -1)},"nodes":[`, ...nodes.flatMap((n) => n.parts), ']}']), type: JSON_TYPE };
    });
    return sendAnswer(ctx, answer, cache);
  });

  router.get('/api/cluster/node/:id', (ctx) => {
    const range = parseRange(ctx.query['range'], true);
    const id = String(ctx.params['id'] ?? '');
    if (id.length > MAX_ID) throw new HttpError(404, 'no such node in this cluster', 'not_found');
    const g: Group = id === local.info().id ? 'local' : 'peers';
    const { version } = group(g, range);
    // Rows are kept apart from their group's summary part and may have been dropped first: build again.
    const known = members.get(`${g}:${range}`);
    let answer = cache.get(nodeKey(range, id), version);
    if (answer === undefined && known?.version === version && known.ids.has(id)) {
      build(g, range, version);
      answer = cache.get(nodeKey(range, id), version);
    }
    if (answer === undefined) throw new HttpError(404, `no node ${JSON.stringify(id)} in this cluster`, 'not_found');
    return sendAnswer(ctx, answer, cache);
  });
}
