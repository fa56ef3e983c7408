/**
 * The compact feed as the dashboard reads it: `/api/cluster/summary` (every
 * node briefly) and `/api/cluster/node/:id` (one node's rows), shaped so
 * rendering never meets a surprise type; and the same data made from an
 * /api/cluster answer, for a node that has no feed (an older version).
 */
import { feedNode, type FeedBuckets, type FeedNodeDetail, type FeedSummaryNode, type FeedUnitBrief } from '../../src/views/cluster-feed.js';
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

export function nodeUrl(baseUrl: string, id: string, range: RangeName): string {
  return apiUrl(baseUrl, `/api/cluster/node/${encodeURIComponent(id)}?range=${encodeURIComponent(range)}`);
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

/** A summary as data without rows. */
export function withoutRows(summary: FeedSummary): FleetData {
  return { ...summary, nodes: summary.nodes.map((s) => ({ summary: s, detail: null })) };
}

/** The feed of an /api/cluster answer (a node without the feed): the same summaries, and every node's rows. */
export function fleetFromCluster(data: ClusterResponse): FleetData & { nodes: Array<{ detail: FeedNodeDetail }> } {
  const { nodes, ...rest } = data;
  return { ...rest, nodes: nodes.map((snap) => feedNode(snap, rest)) };
}
