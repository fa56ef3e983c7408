/**
 * Loads every enabled peer's copy at start: its peer.json checked against
 * the limits (moved aside when past them), its history from disk, and any
 * history ending in the future dropped. A copy that cannot be loaded is
 * replaced by one in memory: it is pulled again, never worth refusing to start.
 */
import type { PeerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { PeerDecoder } from './decode-pool.js';
import { cursorOf } from './head.js';
import type { PeerLimits } from './limits.js';
import { checkMetaFile, futureCursor } from './meta-file.js';
import { PeerStore, peerDir } from './store.js';
import { trackPeer, type TrackedPeer } from './tracked-peer.js';

export interface OpenPeersOptions {
  peers: readonly PeerConfig[];
  dataDirectory: string;
  retentionDays: number;
  /** False: every copy in memory only (tests, tools). */
  persist: boolean;
  decoder: PeerDecoder;
  limits: PeerLimits;
  log: Logger;
  now: () => number;
}

/** One peer's copy from `<data_directory>/peers/<id>/`. */
async function openOne(peer: PeerConfig, o: OpenPeersOptions): Promise<TrackedPeer> {
  const memOpts = { retentionDays: o.retentionDays, now: o.now };
  if (!o.persist) return trackPeer(peer, PeerStore.memory(memOpts), o.now());
  const dir = peerDir(o.dataDirectory, peer.id);
  const note = (m: string) => o.log.warn(`peer ${peer.id}: ${m}`);
  // A peer.json past the limits (written before they existed, or by hand) is moved aside, not served.
  await checkMetaFile({ dir, decoder: o.decoder, limits: o.limits, nowMs: o.now(), onNote: note });
  const r = await PeerStore.open({ ...memOpts, dir, onNote: note }).catch(
    (e: unknown) => ({ ok: false as const, error: `cannot load ${dir}: ${String(e)}` }),
  );
  if (!r.ok) {
    o.log.error(`peer ${peer.id}: ${r.error}; its history is kept in memory only`);
    return trackPeer(peer, PeerStore.memory(memOpts), o.now());
  }
  // Samples from the future (kept before times were checked) would be the `since` of every pull, forever.
  const ahead = futureCursor(cursorOf(r.store.status, r.store.connectivity), o.limits, o.now());
  if (ahead !== undefined) {
    note(`history held ends at ${new Date(ahead).toISOString()}, ahead of this node's clock; dropped, pulled again`);
    r.store.reset();
  }
  return trackPeer(peer, r.store, o.now());
}

/** Every peer of `o.peers`, in config order. */
export function openPeers(o: OpenPeersOptions): Promise<TrackedPeer[]> {
  return Promise.all(o.peers.map((peer) => openOne(peer, o)));
}

/** A peer before anything is loaded: shown without data. */
export function unloadedPeer(peer: PeerConfig, retentionDays: number, now: () => number): TrackedPeer {
  return trackPeer(peer, PeerStore.memory({ retentionDays, now }), now());
}
