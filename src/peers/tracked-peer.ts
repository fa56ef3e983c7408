/**
 * One enabled peer as the poller holds it: its config, its copy of the
 * peer's history (store and queries), its sync record (peer-state.ts) and,
 * while its older days are read, its newest entries apart (head.ts).
 */
import type { PeerConfig } from '../config/types.js';
import type { HistoryQueries } from '../views/history-queries.js';
import { createLogQueries } from '../views/log-queries.js';
import type { PeerHead } from './head.js';
import { initialRecord, type SyncRecord } from './peer-state.js';
import type { PeerMeta, PeerStore } from './store.js';

export interface TrackedPeer {
  readonly peer: PeerConfig;
  readonly store: PeerStore;
  readonly queries: HistoryQueries;
  record: SyncRecord;
  lastPruneAt: number;
  /** The peer's newest entries while its older days are read into the store: what its card shows meanwhile, marked syncing. */
  head?: PeerHead;
  /** The digest of the store's meta object last seen (peer-version.ts), kept until the store replaces it. */
  metaDigest?: { meta: Readonly<PeerMeta>; digest: string };
}

/** A peer as loaded: its record from what the store kept (last success, reported node id). */
export function trackPeer(peer: PeerConfig, store: PeerStore, nowMs: number): TrackedPeer {
  return {
    peer,
    store,
    queries: createLogQueries(store.status, store.connectivity),
    record: initialRecord(store.meta.last_success_at, store.meta.node?.id),
    lastPruneAt: nowMs,
  };
}

/** True when anything of the peer is known: a refresh succeeded once, or history is held. */
export function hasData(t: TrackedPeer): boolean {
  return t.record.lastSuccessAt !== undefined || t.store.status.length > 0;
}
