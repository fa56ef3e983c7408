/**
 * The compact feed as the dashboard reads it: `/api/cluster/summary` (every
 * node briefly) and `/api/cluster/node/:id` (one node's rows), shaped so
 * rendering never meets a surprise type; and the same data made from an
 * /api/cluster answer, for a node that has no feed (an older version).
 */
import { feedNode, type FeedBuckets, type FeedNodeDetail, type FeedSummaryNode, type FeedUnitBrief } from '../../src/views/cluster-feed.js';
import { applyFeedDelta, type FeedChange } from '../../src/views/feed-delta.js';
import { apiUrl, isObject, objects } from './api.js';
import type { ClusterResponse, RangeName } from './types.js';

export type { FeedNodeDetail, FeedSummaryNode };

/** One node: its summary, and its rows once asked for. */
export interface NodeFeed {
  summary: FeedSummaryNode;
  detail: FeedNodeDetail | null;
}

/** What the dashboard shows: the answer's window and every node, this node first. */
export interface FleetData {
  generated_at: string;
  range: RangeName;
  range_start: string;
  range_end: string;
  nodes: NodeFeed[];
}

/** `/api/cluster/summary` as received. */
export interface FeedSummary extends Omit<FleetData, 'nodes'> {
  nodes: FeedSummaryNode[];
}

export function summaryUrl(baseUrl: string, range: RangeName): string {
  return apiUrl(baseUrl, `/api/cluster/summary?range=${encodeURIComponent(range)}`);
}

/** A node's rows; with `since` (the tag of the rows held), only what changed since them, where the node can tell. */
export function nodeUrl(baseUrl: string, id: string, range: RangeName, since?: string | null): string {
  const delta = since ? `&since=${encodeURIComponent(since)}` : '';
  return apiUrl(baseUrl, `/api/cluster/node/${encodeURIComponent(id)}?range=${encodeURIComponent(range)}${delta}`);
}

/** The tag an ETag names (without W/, quotes or the gzip form's -gz): what `since` takes. */
export function tagOfEtag(etag: string | null | undefined): string | null {
  if (!etag) return null;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1').replace(/-gz$/, '') || null;
}

const isBrief = (u: unknown): u is FeedUnitBrief =>
  Array.isArray(u) && u.length === 4 && u.every((f) => typeof f === 'string');

/** Units with an id and a name, other fields of the expected types or dropped. */
function units(list: unknown): FeedNodeDetail['units'] {
  const out = objects(list) ?? [];
  for (const u of out) {
    u['id'] = String(u['id'] ?? '');
    u['name'] = String(u['name'] ?? u['id']);
    if (typeof u['timeline'] !== 'string') delete u['timeline'];
    if (!Array.isArray(u['details'])) delete u['details'];
    if (!isObject(u['check'])) delete u['check'];
    if (!isObject(u['uptime'])) delete u['uptime'];
    if (typeof u['url'] !== 'string') delete u['url'];
  }
  return out as unknown as FeedNodeDetail['units'];
}

const buckets = (v: unknown) => (Array.isArray(v) && v.length === 3 && v.every((n) => typeof n === 'number') ? v : undefined);

function head(body: Record<string, unknown>): Omit<FleetData, 'nodes'> {
  return {
    generated_at: String(body['generated_at'] ?? ''),
    range: body['range'] === '30d' ? '30d' : '24h',
    range_start: String(body['range_start'] ?? ''),
    range_end: String(body['range_end'] ?? ''),
  };
}

/** A summary body, shaped; null when it is not one. */
export function normalizeSummary(body: unknown): FeedSummary | null {
  if (!isObject(body)) return null;
  const nodes = objects(body['nodes']);
  if (!nodes) return null;
  for (const n of nodes) {
    if (!isObject(n['node'])) n['node'] = { id: '', name: '', interval_minutes: 0 };
    n['units'] = Array.isArray(n['units']) ? n['units'].filter(isBrief) : [];
    n['problems'] = units(n['problems']);
    n['uptime'] = typeof n['uptime'] === 'number' ? n['uptime'] : null;
    if (n['source'] !== 'local') n['source'] = 'peer';
    if (buckets(n['buckets']) === undefined) delete n['buckets'];
    for (const key of ['connectivity_history', 'connectivity_timeline']) {
      const list = objects(n[key]);
      if (list) n[key] = list;
      else delete n[key];
    }
    if (!isObject(n['connectivity'])) delete n['connectivity'];
    if (!isObject(n['connectivity_counts'])) delete n['connectivity_counts'];
  }
  return { ...head(body), nodes: nodes as unknown as FeedSummaryNode[] };
}

/** A node's rows, shaped; null when it is not one. */
export function normalizeNode(body: unknown): FeedNodeDetail | null {
  if (!isObject(body) || !isObject(body['node']) || !Array.isArray(body['units'])) return null;
  const b = buckets(body['buckets']);
  return { ...head(body), node: body['node'] as unknown as FeedNodeDetail['node'], ...(b ? { buckets: b as FeedBuckets } : {}), units: units(body['units']) };
}

/** A row's changed fields (or a delta's `every`), those of the expected types. */
function rowFields(from: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from)) {
    const ok = k === 'timeline' || k === 'url' || k === 'id' || k === 'name' ? typeof v === 'string'
      : k === 'details' || k === 'details@' ? Array.isArray(v) : k === 'check' || k === 'uptime' ? isObject(v) : false;
    if (ok) fields[k] = v;
  }
  return fields;
}

/** A changed row's fields, those of the expected types (a whole row shaped as any row). */
function change(c: unknown): FeedChange | null {
  if (!Array.isArray(c) || !Number.isInteger(c[0]) || c[0] < 0 || !isObject(c[1])) return null;
  if (c[2] === 1) {
    const [row] = units([c[1]]);
    return row ? [c[0] as number, row, 1] : null;
  }
  return [c[0] as number, rowFields(c[1])];
}

/**
 * A rows answer to a request with `since`: the whole rows (a node that
 * could not make a delta, or has no deltas), or `held` brought up to date by
 * the delta; `tag` is then what the rows now are (the next `since`). Null
 * when it is neither, or a delta that does not fit `held` (ask for all the
 * rows again).
 */
export function normalizeRowsAnswer(body: unknown, held: { tag: string | null; value: FeedNodeDetail } | undefined): { detail: FeedNodeDetail; tag?: string } | null {
  if (!isObject(body) || !Array.isArray(body['changes'])) {
    const detail = normalizeNode(body);
    return detail ? { detail } : null;
  }
  if (!held || !isObject(body['node']) || body['since'] !== held.tag || typeof body['tag'] !== 'string') return null;
  const changes = body['changes'].map(change);
  if (changes.some((c) => c === null)) return null;
  const b = buckets(body['buckets']);
  const h = head(body);
  const every = isObject(body['every']) ? rowFields(body['every']) : undefined;
  // Nothing changed in the rows: keep the same object, so nothing is rendered again.
  if (changes.length === 0 && every === undefined && h.generated_at === held.value.generated_at && String(b) === String(held.value.buckets)) return { detail: held.value, tag: body['tag'] };
  const delta = { ...h, node: body['node'] as unknown as FeedNodeDetail['node'], ...(b ? { buckets: b as FeedBuckets } : {}), since: String(body['since']), tag: body['tag'], ...(every ? { every } : {}), changes: changes as FeedChange[] };
  const detail = applyFeedDelta(held.value, delta);
  return detail ? { detail, tag: body['tag'] } : null;
}

/** A summary as data without rows. */
export function withoutRows(summary: FeedSummary): FleetData {
  return { ...summary, nodes: summary.nodes.map((s) => ({ summary: s, detail: null })) };
}

/** The feed of an /api/cluster answer (a node without the feed): the same summaries, and every node's rows. */
export function fleetFromCluster(data: ClusterResponse): FleetData & { nodes: Array<{ detail: FeedNodeDetail }> } {
  const { nodes, ...rest } = data;
  return { ...rest, nodes: nodes.map((snap) => feedNode(snap, rest)) };
}
