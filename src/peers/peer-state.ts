/**
 * A peer's sync state and its transitions, as pure functions: what one
 * refresh's outcome does to the state (failed, succeeded, which node id
 * conflicts with another), what the next step of a refresh is, and the sync
 * fields a snapshot shows. No timers, no HTTP, no disk: the poller
 * (poller.ts, refresh.ts) applies them and does the effects they name.
 */
import type { PeerSnapshot } from '../types.js';
import { boundText, MAX_PEER_ERROR_CHARS } from './limits.js';

/** How a peer's refreshes have gone so far in this process. */
export interface SyncRecord {
  /** Succeeded since this process started and not failed since. */
  readonly fresh: boolean;
  readonly error?: string;
  /** Refreshes failed in a row. */
  readonly failures: number;
  readonly lastAttemptAt?: number;
  readonly lastSuccessAt?: number;
  /** The node id the peer reported in its last good refresh. */
  readonly reportedId?: string;
}

/** What a transition asks the caller to log (the record itself is the new state). */
export interface Transition {
  record: SyncRecord;
  log?: { level: 'info' | 'warn'; message: string };
}

/** The record of a peer loaded from disk: last success and reported id as the store kept them. */
export function initialRecord(lastSuccessAt: string | undefined, reportedId: string | undefined): SyncRecord {
  const at = lastSuccessAt === undefined ? NaN : Date.parse(lastSuccessAt);
  return {
    fresh: false,
    failures: 0,
    ...(Number.isFinite(at) ? { lastSuccessAt: at } : {}),
    ...(reportedId !== undefined && reportedId !== '' ? { reportedId } : {}),
  };
}

/** A refresh failed with `raw` (the peer's text may be quoted: it is bounded here, before it is logged or shown). */
export function failed(r: SyncRecord, raw: string): Transition {
  const error = boundText(raw, MAX_PEER_ERROR_CHARS);
  const { error: _previous, ...rest } = r;
  return {
    record: { ...rest, error, failures: r.failures + 1, fresh: false },
    ...(r.error !== error ? { log: { level: 'warn' as const, message: `sync failed: ${error}` } } : {}),
  };
}

/** A refresh (or one page of it) succeeded at `atMs`; `reported` is the node id the peer gave. */
export function succeeded(r: SyncRecord, atMs: number, reported: string | undefined): Transition {
  let log: Transition['log'];
  if (r.error !== undefined) log = { level: 'info', message: `sync recovered after ${r.failures} failed refresh(es)` };
  else if (!r.fresh && r.lastSuccessAt === undefined) log = { level: 'info', message: 'first sync done' };
  const { error: _gone, ...rest } = r;
  return {
    record: {
      ...rest,
      failures: 0,
      fresh: true,
      lastSuccessAt: atMs,
      ...(reported !== undefined && reported !== '' ? { reportedId: reported } : {}),
    },
    ...(log !== undefined ? { log } : {}),
  };
}

/** A request of a refresh started at `atMs`. */
export function attempted(r: SyncRecord, atMs: number): SyncRecord {
  return { ...r, lastAttemptAt: atMs };
}

/** What conflictOf needs to know of each peer, in config order. */
export interface PeerIdentity {
  /** The id the peer is configured (and shown) under. */
  id: string;
  /** The node id it reported last. */
  reportedId?: string;
}

/**
 * Why the peer at `index` of `peers` reporting node id `reported` is not
 * merged: it is this node (`ownId`), or a node already shown under another
 * peer entry. Undefined when there is no conflict.
 */
export function conflictOf(ownId: string, peers: readonly PeerIdentity[], index: number, reported: string | undefined): string | undefined {
  if (reported === undefined || reported === '') return undefined;
  if (reported === ownId) {
    return `peer reports node id "${reported}", which is this node's own id (does base_url point at this node?); not merged`;
  }
  for (const [i, other] of peers.entries()) {
    if (i === index) continue;
    // An earlier peer keeps a node it reported; a later one reporting the same node is the duplicate.
    if (other.id === reported || (i < index && other.reportedId === reported)) {
      return `peer reports node id "${reported}", the node already shown as peer "${other.id}"; not merged`;
    }
  }
  return undefined;
}

/** True when the address now answers as another node than the one held (its history held must go). */
export function replacedNode(previous: string | undefined, reported: string | undefined): boolean {
  return reported !== undefined && reported !== '' && previous !== undefined && previous !== '' && previous !== reported;
}

/** What one page of a refresh said, as far as the next step depends on it. */
export interface PageOutcome {
  /** The page was the peer's newest entries (the head). */
  head: boolean;
  /** The peer has entries after this page. */
  more: boolean;
}

/**
 * After a good page: read the next one (`next`), or end the refresh (`done`).
 * A head page is always followed by the back-fill; a back-fill page by the
 * next one while the peer has more and the page budget lasts.
 */
export function nextStep(page: PageOutcome, pagesRead: number, maxPages: number): 'next' | 'done' {
  if (pagesRead >= maxPages) return 'done';
  return page.head || page.more ? 'next' : 'done';
}

/** Syncing: the older days are still being read (the card shows the newest), or the first refresh has not ended. */
export function isSyncing(r: SyncRecord, hasData: boolean, hasHead: boolean): boolean {
  return hasHead || (!hasData && r.error === undefined);
}

/** The sync fields of a peer's snapshot (error, syncing, stale, last_success_at, consecutive_failures). */
export function syncFields(r: SyncRecord, hasData: boolean, hasHead: boolean): Pick<PeerSnapshot, 'error' | 'syncing' | 'stale' | 'last_success_at' | 'consecutive_failures'> {
  return {
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(isSyncing(r, hasData, hasHead) ? { syncing: true } : {}),
    // Stale: what is shown is not from this run's latest refresh (kept after a failure, or loaded from disk
    // and not yet refreshed). A peer whose first refresh is still running has nothing to be stale.
    stale: !r.fresh && (hasData || r.error !== undefined),
    ...(r.lastSuccessAt !== undefined ? { last_success_at: new Date(r.lastSuccessAt).toISOString() } : {}),
    consecutive_failures: r.failures,
  };
}

/** Up: refreshed in this run and not failed since (for metrics). */
export function isUp(r: SyncRecord): boolean {
  return r.fresh && r.error === undefined;
}
