/**
 * The compact feed of our dashboard (src/views/cluster-feed.ts):
 * `/api/cluster/summary` (every node, briefly) and `/api/cluster/node/:id`
 * (one node's rows). Both are kept as bytes with an ETag, joined from parts
 * kept per node (cluster-parts.ts): a node's rows per its rows version, its
 * summary part per its full version. One build of a node gives both, so the
 * rows a dashboard asks for next are already there; and a peer's refresh that
 * brought no new data moves only its sync fields, which its summary part
 * takes without a build (its rows, and their ETag, stay).
 */
import type Router from '@koa/router';
import type { RangeName } from '../types.js';
import { feedNodePieces, feedSync, type FeedSync } from '../views/cluster-feed.js';
import { JSON_TYPE, toBytes, type Answer, type Bytes } from './answer.js';
import { clusterHead, clusterHeadOpen, joinedVersion, type ClusterParts, type NodePart } from './cluster-parts.js';
import { HttpError } from './errors.js';
import { parseRange } from './query.js';
import { rowsDeltas, sinceTags } from './rows-deltas.js';
import { sendAnswer } from './send-answer.js';

/** Node ids longer than this name no node (ids are bounded by the config schema and peer validation). */
const MAX_ID = 256;

/** A node's summary serialised around its sync fields: `{"node":…,"source":…` and `"status_at":…}`. */
interface SummaryPieces {
  rowsVersion: string;
  lead: string;
  rest: string;
  /** The sync fields its snapshot had (the local node's are those). */
  sync: FeedSync;
}

/** Adds the feed's routes to the cluster router. */
export function addClusterFeedRoutes(router: Router, parts: ClusterParts): void {
  const { local, cache } = parts;
  const rowsKey = (range: RangeName, n: NodePart) => `cluster/feed-node:${range}:${n.key}`;
  /** Per range and node: one entry each, replaced when the node's rows move. */
  const pieces = new Map<string, SummaryPieces>();
  const deltas = rowsDeltas(cache);

  /** Builds a node's rows (kept, unless already kept at this version: their ETag stays) and its summary pieces. */
  const build = (range: RangeName, n: NodePart): { rows: Answer; pieces: SummaryPieces } => {
    const { summary, detail } = feedNodePieces(n.snapshot(), clusterHead(local, range));
    const rows = cache.get(rowsKey(range, n), n.rowsVersion) ?? deltas.keep(rowsKey(range, n), n.rowsVersion, detail);
    const p: SummaryPieces = {
      rowsVersion: n.rowsVersion,
      lead: JSON.stringify(summary.lead).slice(0, -1),
      rest: JSON.stringify(summary.rest).slice(1),
      sync: summary.sync,
    };
    pieces.set(`${range}:${n.key}`, p);
    return { rows, pieces: p };
  };

  // A comma before every node but the first, so the frame only has to join them.
  const summaryPart = (range: RangeName, n: NodePart, first: boolean): Bytes =>
    cache.answer(`cluster/feed-sum:${range}:${n.key}`, n.version, () => {
      const held = pieces.get(`${range}:${n.key}`);
      const p = held?.rowsVersion === n.rowsVersion ? held : build(range, n).pieces;
      const sync = n.sync !== undefined ? feedSync(n.sync()) : p.sync;
      return { bytes: toBytes([`${first ? '' : ','}${p.lead},${JSON.stringify(sync).slice(1, -1)},${p.rest}`]), type: JSON_TYPE };
    });

  router.get('/api/cluster/summary', (ctx) => {
    const range = parseRange(ctx.query['range'], true);
    const nodes = parts.nodes(range);
    const answer = cache.answer(`cluster/feed-summary:${range}`, joinedVersion(nodes, (n) => n.version), () => {
      const bodies = nodes.map((n, i) => summaryPart(range, n, i === 0));
      return { bytes: toBytes([clusterHeadOpen(local, range), ...bodies.flatMap((b) => b.parts), ']}']), type: JSON_TYPE };
    });
    return sendAnswer(ctx, answer, cache);
  });

  router.get('/api/cluster/node/:id', (ctx) => {
    const range = parseRange(ctx.query['range'], true);
    const id = String(ctx.params['id'] ?? '');
    if (id.length > MAX_ID) throw new HttpError(404, 'no such node in this cluster', 'not_found');
    // A duplicated id (a peer listed twice) shows its first entry's rows, as /api/cluster's first match.
    const n = parts.nodes(range).find((x) => x.id === id);
    if (n === undefined) throw new HttpError(404, `no node ${JSON.stringify(id)} in this cluster`, 'not_found');
    const rows = cache.get(rowsKey(range, n), n.rowsVersion) ?? build(range, n).rows;
    // With `since`: only what changed since those rows, when they are still known here; else all of them.
    return sendAnswer(ctx, deltas.answerFor(`${range}:${n.key}`, n.rowsVersion, rows, sinceTags(ctx.query['since'])), cache);
  });
}
