/**
 * A peer's versions, for the cluster answers kept per node
 * (src/http/cluster-routes.ts, cluster-feed-routes.ts): strings that are
 * equal while what they cover renders the same, within the answers' time
 * bucket. They are read from the peer's state itself (sample counts and
 * times, a digest of what it last said about itself, the sync record), not
 * counted at each change, so no path that changes a peer can forget to move
 * them, and a refresh that brought nothing new moves only the sync part.
 */
import { createHash } from 'node:crypto';
import { peerIntervalMs } from './sync.js';
import { hasData, type TrackedPeer } from './tracked-peer.js';

/**
 * A digest of what the peer last said about itself (node, status, probe,
 * targets), without the refresh's own time; made once per meta object (the
 * store replaces it on every good page).
 */
function metaDigest(t: TrackedPeer): string {
  const meta = t.store.meta;
  if (t.metaDigest?.meta === meta) return t.metaDigest.digest;
  const { last_success_at: _at, ...said } = meta;
  const digest = createHash('sha1').update(JSON.stringify(said)).digest('base64url');
  t.metaDigest = { meta, digest };
  return digest;
}

/** Count and newest time of a log: together they change with every append, prune and reset. */
function logMark(log: { readonly length: number; lastTime(): number | undefined }): string {
  return `${log.length}.${log.lastTime() ?? ''}`;
}

/**
 * The version of the peer's rows (timelines, uptime, latest checks): its
 * history held (and its head while it syncs), what it said about itself, and
 * how many of the peer's intervals its last good refresh lies past its newest
 * sample (uptime counts the slots missed up to that refresh, src/views/uptime.ts).
 */
export function rowsVersion(t: TrackedPeer, ownIntervalMs: number): string {
  const { store, head, record } = t;
  const newest = (head ?? store).status.lastTime();
  const interval = peerIntervalMs(store.meta.node, ownIntervalMs);
  const lag = record.lastSuccessAt === undefined || newest === undefined || !(interval > 0)
    ? '' : String(Math.max(0, Math.floor((record.lastSuccessAt - newest) / interval)));
  const held = `${logMark(store.status)}/${logMark(store.connectivity)}`;
  const headMark = head === undefined ? '-' : `${logMark(head.status)}/${logMark(head.connectivity)}`;
  return `${hasData(t) ? 'd' : 'n'}${held}:${headMark}:${lag}:${metaDigest(t)}`;
}

/** The version of the fields a refresh's outcome moves (updated_at and the sync fields, peer-state.ts). */
export function syncVersion(t: TrackedPeer): string {
  const r = t.record;
  const at = r.lastSuccessAt !== undefined ? `s${r.lastSuccessAt}` : `a${r.lastAttemptAt ?? ''}`;
  // The error last: it is free text.
  return `${r.fresh ? 1 : 0}.${r.failures}.${at}.${t.head !== undefined ? 1 : 0}.${r.error ?? ''}`;
}
