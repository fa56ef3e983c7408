/**
 * The nodes of a cluster answer as parts: the local node first, then every
 * enabled peer in config order, each with the versions its kept parts are
 * filed under and its snapshot rendered only when a part is missing. A peer's
 * versions are its own (src/peers/peer-version.ts), so after one peer's
 * refresh only that peer's parts are built again; the answers are joined
 * from the parts kept (cluster-routes.ts, cluster-feed-routes.ts).
 */
import type { LocalNode } from '../node/local.js';
import type { PeerSnapshot, PeerSyncView, PeerView, RangeName } from '../types.js';
import type { FeedHead } from '../views/cluster-feed.js';
import type { AnswerCache } from './answer-cache.js';

/** Peers' snapshots from cache; must never wait on a peer. */
export type PeerSnapshots = (range: RangeName) => PeerSnapshot[];

/** Peers' views (versions, and snapshots on demand) from cache; must never wait on a peer. */
export type PeerViews = (range: RangeName) => PeerView[];

/** One node of a cluster answer. */
export interface NodePart {
  /** What its kept parts are filed under (unique in the answer). */
  readonly key: string;
  /** Its node id (two peer entries may share one: the first is the one found by id). */
  readonly id: string;
  /** Version of everything its snapshot shows, time bucket included. */
  readonly version: string;
  /** Version of its rows (what /api/cluster/node/:id answers), time bucket included. */
  readonly rowsVersion: string;
  snapshot(): PeerSnapshot;
  /** A peer's updated_at and sync fields as they are now, cheap; absent for the local node (its version covers them). */
  readonly sync?: () => PeerSyncView;
}

export interface NodePartsDeps {
  local: LocalNode;
  views: PeerViews;
  versions: { local(): string; bucket(): number };
}

/** What the cluster routes read: the nodes of an answer as parts, and where parts are kept. */
export interface ClusterParts {
  local: LocalNode;
  cache: AnswerCache;
  nodes(range: RangeName): NodePart[];
}

/** The head of a cluster answer (/api/cluster, the summary; a node's rows carry it too). */
export function clusterHead(local: LocalNode, range: RangeName): FeedHead {
  const w = local.window(range);
  const iso = (ms: number) => new Date(ms).toISOString();
  return { generated_at: iso(w.end), range, range_start: iso(w.start), range_end: iso(w.end) };
}

/** The head of a cluster answer, open for its `nodes` array: `{"generated_at":…,"nodes":[`. */
export function clusterHeadOpen(local: LocalNode, range: RangeName): string {
  return `${JSON.stringify(clusterHead(local, range)).slice(0, -1)},"nodes":[`;
}

/** The version of an answer joined from `nodes` (any part's move moves it). */
export function joinedVersion(nodes: readonly NodePart[], pick: (n: NodePart) => string): string {
  return nodes.map(pick).join('|');
}

/** The keys a peer's snapshot ends with, in order: what a refresh moves (src/peers/peer-snapshot.ts). */
const TAIL_KEYS = ['updated_at', 'source', 'error', 'syncing', 'stale', 'last_success_at', 'consecutive_failures'] as const;

/**
 * A peer's part as two texts that joined are its snapshot's JSON.stringify:
 * the body, everything its rows version covers, without the closing brace;
 * and the tail, `,"updated_at":…}`, what every refresh moves (the sync
 * view, with `source` where the snapshot has it). A peer's snapshot ends with
 * exactly these keys (renderPeerSnapshot), so a refresh that brought nothing
 * new makes a tail of a few hundred bytes again, not the body.
 */
export const peerPartText = {
  body(snapshot: PeerSnapshot): string {
    const body: Record<string, unknown> = { ...snapshot };
    for (const k of TAIL_KEYS) delete body[k];
    return JSON.stringify(body).slice(0, -1);
  },
  tail(sync: PeerSyncView): string {
    const { updated_at, ...rest } = sync;
    return `,${JSON.stringify({ updated_at, source: 'peer', ...rest }).slice(1)}`;
  },
};

/** The nodes of a `range` answer, in the answer's order. */
export function nodeParts(deps: NodePartsDeps, range: RangeName): NodePart[] {
  const localVersion = deps.versions.local();
  const bucket = deps.versions.bucket();
  const local: NodePart = {
    key: 'local',
    id: deps.local.info().id,
    version: `L${localVersion}`,
    rowsVersion: `L${localVersion}`,
    snapshot: () => deps.local.snapshot(range),
  };
  const peers = deps.views(range).map((v): NodePart => ({
    key: `p${v.key}`,
    id: v.id,
    version: `${v.version}@${bucket}`,
    rowsVersion: `${v.rowsVersion}@${bucket}`,
    snapshot: () => v.snapshot(range),
    sync: () => v.sync(),
  }));
  return [local, ...peers];
}

/** Only the sync view of a snapshot. */
export function syncOf(s: PeerSnapshot): PeerSyncView {
  const { updated_at, error, syncing, stale, last_success_at, consecutive_failures } = s;
  return {
    updated_at,
    ...(error !== undefined ? { error } : {}),
    ...(syncing !== undefined ? { syncing } : {}),
    ...(stale !== undefined ? { stale } : {}),
    ...(last_success_at !== undefined ? { last_success_at } : {}),
    ...(consecutive_failures !== undefined ? { consecutive_failures } : {}),
  };
}

/**
 * Views over peers known only by their snapshots, all under one `version`
 * (an app given no views: tests, tools): every peer's parts are built again
 * when it moves. The snapshots are taken once per range and version.
 */
export function viewsFromSnapshots(peers: PeerSnapshots, version: () => string): PeerViews {
  let held: { range: RangeName; version: string; snaps: PeerSnapshot[] } | undefined;
  return (range) => {
    const v = version();
    if (held?.range !== range || held.version !== v) held = { range, version: v, snaps: peers(range) };
    const snaps = held.snaps;
    return snaps.map((s, i): PeerView => ({
      id: s.node.id,
      key: `${i}:${s.node.id}`,
      rowsVersion: `g${v}`,
      version: `g${v}`,
      snapshot: () => s,
      sync: () => syncOf(s),
    }));
  };
}
