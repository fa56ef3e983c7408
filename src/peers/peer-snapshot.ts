/**
 * A peer's part of /api/cluster, rendered from what is cached: its history
 * (or its head while it syncs), what it last said about itself, and its
 * sync fields (peer-state.ts). Never waits on the peer.
 */
import { buildSnapshot } from '../node/snapshot.js';
import type { NodeInfo, PeerSnapshot, PeerSyncView, RangeName } from '../types.js';
import { RANGE_MS } from '../types.js';
import { syncFields } from './peer-state.js';
import { peerIntervalMs } from './sync.js';
import { hasData, type TrackedPeer } from './tracked-peer.js';

export interface RenderContext {
  nowMs: number;
  /** When the poller started: the `updated_at` of a peer never attempted. */
  startedAt: number;
  /** This node's interval, for a peer that does not tell its own. */
  ownIntervalMs: number;
}

/** The fields of the peer's snapshot a refresh's outcome moves, without reading its history. */
export function renderPeerSync(t: TrackedPeer, ctx: RenderContext): PeerSyncView {
  const { record } = t;
  return {
    updated_at: new Date(record.lastSuccessAt ?? record.lastAttemptAt ?? ctx.startedAt).toISOString(),
    ...syncFields(record, hasData(t), t.head !== undefined),
  };
}

/** The peer's snapshot over the `range` ending now. */
export function renderPeerSnapshot(t: TrackedPeer, range: RangeName, ctx: RenderContext): PeerSnapshot {
  const window = { start: ctx.nowMs - RANGE_MS[range], end: ctx.nowMs };
  const { peer, store, record } = t;
  const meta = store.meta;
  const remote = meta.node;
  const known = hasData(t);
  const sync = syncFields(record, known, t.head !== undefined);
  // A peer with a configured name shows it; one named only by its id shows the name it reports (as the original).
  const name = peer.name !== peer.id || remote === undefined || remote.name === '' ? peer.name : remote.name;
  if (!known) {
    // Never synced: the original's shape for a peer without data.
    return {
      node: { id: peer.id, name, interval_minutes: 0 },
      connectivity_timeline: t.queries.connectivityTimeline(window),
      services: [],
      updated_at: new Date(record.lastAttemptAt ?? ctx.startedAt).toISOString(),
      source: 'peer',
      ...sync,
    };
  }
  const node: NodeInfo = {
    id: peer.id,
    name,
    interval_minutes: remote?.interval_minutes ?? 0,
    ...(remote?.connectivity_interval_seconds !== undefined ? { connectivity_interval_seconds: remote.connectivity_interval_seconds } : {}),
  };
  const fromTargets = (meta.targets ?? []).filter((x) => x.id !== '');
  const services = fromTargets.length > 0 ? fromTargets : (meta.status?.checks ?? []).filter((c) => c.id !== '');
  const snap = buildSnapshot(
    {
      node,
      history: t.head?.queries ?? t.queries,
      services,
      ...(meta.targets !== undefined ? { targets: meta.targets } : {}),
      intervalMs: peerIntervalMs(remote, ctx.ownIntervalMs),
      ...(meta.status !== undefined ? { status: meta.status } : {}),
      ...(meta.connectivity !== undefined ? { connectivity: meta.connectivity } : {}),
      updatedAt: record.lastSuccessAt ?? record.lastAttemptAt ?? ctx.startedAt,
      source: 'peer',
      ...(record.lastSuccessAt !== undefined ? { completeUntil: record.lastSuccessAt } : {}),
    },
    window,
  );
  return { ...snap, ...sync };
}
