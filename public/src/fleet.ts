/**
 * The dashboard's model of the cluster: one entry per node, in the order
 * the server sends them (this node first, then its peers in config order),
 * with the unit rows, their counts by tone, the uptime and the sync state.
 * Built once per snapshot; a node's entry and its unit views are reused
 * from the previous poll when they did not change, so only what changed
 * re-renders.
 */
import { expandTimeline, type FeedProbeCounts } from '../../src/views/cluster-feed.js';
import type { FeedSummaryNode, FleetData, NodeFeed } from './feed.js';
import type { Tone } from './format.js';
import { nodeName } from './incidents.js';
import type { PeerSnapshot } from './types.js';
import { briefView, sortedViews, unitView, viewsByKey, type UnitView } from './units.js';

/** From this many nodes or units on, nodes start folded (only their problems shown). */
export const LARGE_FROM = { nodes: 4, units: 201 } as const;

/** How a node's data reaches this page. */
export type SyncState = 'local' | 'ok' | 'syncing' | 'stale' | 'error';

export interface SyncFlags {
  /** Still fetching its first history (a `syncing: true` peer): its figures are not final. */
  syncing: boolean;
  /** The data shown is old: the peer stopped answering after it had sent some. */
  stale: boolean;
  /** The last sync attempt failed. */
  failed: boolean;
}

/**
 * What the node's header, probe and incidents read, in PeerSnapshot's
 * shape: sync state, probe, and of the units only those with problems
 * (their latest check and timeline).
 */
export type NodeHead = PeerSnapshot & { connectivity_counts?: FeedProbeCounts };

export interface NodeModel {
  /** Unique within the cluster, stable across polls (the node id, `#n` added for duplicates). */
  key: string;
  feed: NodeFeed;
  snapshot: NodeHead;
  /** The rows of every unit are here (not only the summary's brief ones). */
  loaded: boolean;
  name: string;
  units: UnitView[];
  unitsByKey: Map<string, UnitView>;
  counts: Record<Tone, number>;
  /** Mean uptime of the units with checks in the range; null = no data. */
  uptime: number | null;
  sync: SyncState;
  flags: SyncFlags;
  /** Units not ok, plus one for a sync problem and one for a failed DNS probe. */
  problems: number;
}

/**
 * The sync flags of a snapshot. Our daemons mark a peer stale from its first
 * failure on, before any data came; "stale" is only true of data the page
 * has, so a peer never reached reads as a sync error, not as old data.
 */
export function syncFlags(snap: PeerSnapshot, unitCount: number): SyncFlags {
  if (snap.source === 'local') return { syncing: false, stale: false, failed: false };
  const syncing = (snap as { syncing?: unknown }).syncing === true;
  const stale = snap.stale === true && (unitCount > 0 || !!snap.status || !!snap.last_success_at);
  return { syncing, stale, failed: !!snap.error };
}

function syncState(snap: PeerSnapshot, flags: SyncFlags): SyncState {
  if (snap.source === 'local') return 'local';
  if (flags.failed && !flags.stale) return 'error';
  if (flags.stale) return 'stale';
  if (flags.syncing) return 'syncing';
  return 'ok';
}

function countTones(units: readonly UnitView[]): Record<Tone, number> {
  const counts: Record<Tone, number> = { ok: 0, warn: 0, error: 0, unknown: 0 };
  for (const u of units) counts[u.tone] += 1;
  return counts;
}

/** The header's snapshot of a summary: no unit lists but the checks and timelines of the units with problems. */
export function nodeHead(s: FeedSummaryNode): NodeHead {
  const { units: _units, problems, uptime: _uptime, buckets, status_at, ...rest } = s;
  const checks = problems.flatMap((u) => (u.check ? [u.check] : []));
  const timelines = buckets
    ? problems.flatMap((u) => (u.timeline ? [{ service_id: u.id, service_name: u.name, timeline: expandTimeline(u.timeline, buckets, u.details) }] : []))
    : [];
  return { ...rest, services: [], ...(status_at !== undefined ? { status: { timestamp: status_at, checks } } : {}), service_timelines: timelines };
}

/** The rows of a node: all of them when loaded, else the summary's brief ones with the full rows of its problems. */
function rowsOf(feed: NodeFeed): UnitView[] {
  const { summary, detail } = feed;
  if (detail) return detail.units.map((u) => unitView(u, detail.buckets ?? null));
  const full = new Map(summary.problems.map((u) => [u.id, unitView(u, summary.buckets ?? null)]));
  return summary.units.map((b) => full.get(b[0]) ?? briefView(b));
}

/** One node's entry; `before` is its entry of the last poll (reused, or its unit views are). */
export function buildNode(key: string, feed: NodeFeed, before: NodeModel | undefined): NodeModel {
  if (before && before.feed.summary === feed.summary && before.feed.detail === feed.detail) return before;
  const fresh = sortedViews(rowsOf(feed), before?.unitsByKey);
  // Same rows as last poll: keep the same array, so the card's list sees no change at all.
  const units = before && fresh.length === before.units.length && fresh.every((u, i) => u === before.units[i]) ? before.units : fresh;
  const snapshot = before?.feed.summary === feed.summary ? before.snapshot : nodeHead(feed.summary);
  const flags = syncFlags(snapshot, units.length);
  const counts = countTones(units);
  const probeDown = snapshot.connectivity !== undefined && !snapshot.connectivity.ok;
  return {
    key,
    feed,
    snapshot,
    loaded: feed.detail !== null,
    name: nodeName(snapshot),
    units,
    unitsByKey: units === before?.units ? before.unitsByKey : viewsByKey(units),
    counts,
    uptime: feed.summary.uptime,
    sync: syncState(snapshot, flags),
    flags,
    problems: units.length - counts.ok + (flags.failed || flags.stale ? 1 : 0) + (probeDown ? 1 : 0),
  };
}

/**
 * The nodes of the data with their keys, in the server's order, local
 * first (our daemons send peers in config order; that order is kept, never
 * re-sorted).
 */
export function fleetEntries(data: FleetData | null): Array<{ key: string; feed: NodeFeed }> {
  if (!data) return [];
  const ordered = [...data.nodes.filter((n) => n.summary.source === 'local'), ...data.nodes.filter((n) => n.summary.source !== 'local')];
  const seen = new Map<string, number>();
  return ordered.map((feed) => {
    const id = feed.summary.node.id;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return { key: n ? `${id}#${n}` : id, feed };
  });
}

/** Every node's entry at once; `previous` is the last result, by key. */
export function buildFleet(data: FleetData | null, previous: ReadonlyMap<string, NodeModel>): NodeModel[] {
  return fleetEntries(data).map(({ key, feed }) => buildNode(key, feed, previous.get(key)));
}

/** A cluster big enough that showing every unit of every node at once would bury the problems. */
export function isLargeFleet(nodes: ReadonlyArray<{ feed: NodeFeed }>): boolean {
  const units = nodes.reduce((n, m) => n + m.feed.summary.units.length, 0);
  return nodes.length >= LARGE_FROM.nodes || units >= LARGE_FROM.units;
}

/**
 * Which nodes start expanded (by key): all of a small cluster, none of a
 * large one. A folded card still lists its units with problems, so in a
 * large cluster a healthy node is one line and a node with problems shows
 * just those.
 */
export function defaultExpanded(entries: ReadonlyArray<{ key: string; feed: NodeFeed }>): Set<string> {
  return new Set(isLargeFleet(entries) ? [] : entries.map((e) => e.key));
}
