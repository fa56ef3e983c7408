/**
 * One refresh of one peer: GET /api/node/status, then /api/node/history, both
 * decoded and validated by a PeerDecoder (off the main thread in the daemon).
 * An original node gets exactly what the original asks
 * (`range=30d&limit=<cap>`); a node of ours that announces the `since`
 * feature is asked only for what is newer than the history already held, and
 * one that pages and is far behind is asked for its newest day first (the
 * "head"), the older days being read forward afterwards.
 */
import { historyCap } from '../http/query.js';
import type { PeerClient, PeerEndpoint } from './client.js';
import { inThreadDecoder, type PeerDecoder } from './decode-pool.js';
import { isCompactPage, shapeLimits, type DecodeKind, type DecodedPayload } from './decode.js';
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './limits.js';
import { COMPACT_FEATURE, COMPACT_PAGE_CHECKS, type HistoryPage } from './compact-page.js';
import type { NodeStatusPayload, PeerNodeInfo } from './schema.js';

/** Newest samples already held for the peer (epoch ms). */
export interface PullCursor {
  lastStatusMs?: number;
  lastConnectivityMs?: number;
}

export interface Pulled {
  status: NodeStatusPayload;
  history: HistoryPage;
  /** The page was asked in the compact form (compact-page.ts). */
  compact?: boolean;
  /** The `since` sent, when the refresh was incremental. */
  since?: number;
  /** The history is the peer's newest entries (the head), not the continuation of `cursor`. */
  head?: boolean;
  /** Bytes received (decompressed), both requests. */
  bytes: number;
}

export type PullResult = { ok: true; value: Pulled } | { ok: false; error: string };

/**
 * A probe sample is stamped when it finishes and a status sample when its
 * sweep starts, so the two newest times can be a little apart; asking from
 * the older one (at most this much before the newer) misses neither kind.
 */
export const SINCE_OVERLAP_MS = 10 * 60_000;

/** True when the node pages forward: with `since`, `limit` keeps the oldest entries and `more` says some were left. */
export function supportsPages(node: PeerNodeInfo | undefined): boolean {
  return node?.jobmonitor?.features.includes('pages') === true;
}

/**
 * Entries asked per page from a node that pages: about 16 MB of JSON (a
 * check is ~100 bytes), so each answer stays well under the size caps
 * however many units the peer has.
 */
export function pageEntries(units: number, cap: number, pageBytes = PAGE_BYTES): number {
  return Math.max(20, Math.min(cap, Math.floor(pageBytes / (Math.max(1, units) * 100))));
}

/** True when the node answers history pages in the compact form (a node of ours that announces `cols`). */
export function supportsCompact(node: PeerNodeInfo | undefined): boolean {
  return supportsPages(node) && node?.jobmonitor?.features.includes(COMPACT_FEATURE) === true;
}

/** Entries asked per compact page: COMPACT_PAGE_CHECKS checks, within the cap. */
export function compactPageEntries(units: number, cap: number, pageChecks = COMPACT_PAGE_CHECKS): number {
  return Math.max(20, Math.min(cap, Math.floor(pageChecks / Math.max(1, units))));
}

/** JSON asked for per page from a node that pages. */
export const PAGE_BYTES = 16 * 1024 * 1024;

const MONTH_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * History held that ends more than this before a paging node's latest sample
 * (or none at all) is read newest first: its last 24 h (one page), then the
 * older days forward. Within it, reading forward costs no more than the head.
 */
export const BEHIND_MS = 24 * 60 * 60_000;

/**
 * True when a node that pages should be asked for its newest entries first:
 * nothing held, or what is held ends far before the peer's latest sample
 * (`peerNewestMs`, from its status answer).
 */
export function wantsHead(node: PeerNodeInfo | undefined, cursor: PullCursor, peerNewestMs: number): boolean {
  if (!supportsPages(node)) return false;
  const since = sinceFor(cursor);
  return since === undefined || peerNewestMs - since > BEHIND_MS;
}

/** True when the node says it answers `since` on /api/node/history (a node of ours). */
export function supportsSince(node: PeerNodeInfo | undefined): boolean {
  return node?.jobmonitor?.features.includes('since') === true;
}

/** The peer's sampling interval: exact when it tells (ours), else whole minutes, else `fallbackMs`. */
export function peerIntervalMs(node: PeerNodeInfo | undefined, fallbackMs: number): number {
  if (node?.interval_seconds !== undefined && node.interval_seconds > 0) return node.interval_seconds * 1000;
  if (node !== undefined && node.interval_minutes > 0) return node.interval_minutes * 60_000;
  return fallbackMs;
}

/** The `since` to ask for, or undefined for a full pull (nothing held yet). */
export function sinceFor(cursor: PullCursor): number | undefined {
  const times = [cursor.lastStatusMs, cursor.lastConnectivityMs].filter((t): t is number => t !== undefined);
  if (times.length === 0) return undefined;
  const newest = Math.max(...times);
  return Math.max(Math.min(...times), newest - SINCE_OVERLAP_MS);
}

export interface PullOptions {
  client: PeerClient;
  peer: PeerEndpoint;
  cursor: PullCursor;
  /** Our own interval, used when the peer does not tell its own (as the original). */
  ownIntervalMs: number;
  signal?: AbortSignal;
  now?: () => number;
  /** JSON per page from a node that pages (default PAGE_BYTES); tests make it small. */
  pageBytes?: number;
  /** Decodes the bodies (default: on this thread; the daemon passes its pool). */
  decoder?: PeerDecoder;
  limits?: PeerLimits;
  /**
   * `auto` (default): the head first when a paging node is far behind (wantsHead), else forward from `cursor`.
   * `forward`: always forward from `cursor` (the back-fill of older days).
   */
  mode?: 'auto' | 'forward';
  /** Newest samples of the head held while back-filling: the head is then refreshed from here. */
  headCursor?: PullCursor;
  /** Ask a node that announces `cols` for compact pages (default true; false: JSON as every other peer). */
  compact?: boolean;
  /** Checks per compact page (default COMPACT_PAGE_CHECKS); tests make it small. */
  compactPageChecks?: number;
}

async function fetchDecoded(opts: PullOptions, path: string, kind: DecodeKind, nowMs: number): Promise<DecodedPayload & { bytes?: number; compact?: boolean }> {
  const limits = opts.limits ?? DEFAULT_PEER_LIMITS;
  const res = await opts.client.getBytes(opts.peer, path, opts.signal, shapeLimits(limits));
  if (!res.ok) return res;
  const decoder = opts.decoder ?? inThreadDecoder;
  const bytes = res.body.length;
  const decoded = await decoder.decode({ kind, body: res.body, contentType: res.contentType, limits, nowMs });
  if (decoded.ok) return { ...decoded, bytes, ...(isCompactPage(res.contentType) ? { compact: true } : {}) };
  // What the schema found is `invalid payload: <path>: <problem>`; a body that is not JSON (or too deep) says so itself.
  return /^(invalid JSON|empty response|body |decoding failed)/.test(decoded.error) ? decoded : { ok: false, error: `invalid payload: ${decoded.error}` };
}

/** The history query: what the original asks, or `since` forward, or the newest day (head) first. */
function historyQuery(opts: PullOptions, status: NodeStatusPayload, nowMs: number): { query: string; since?: number; head: boolean } {
  const node = status.node;
  const units = status.targets?.length ?? status.status?.checks.length ?? 1;
  const peerNewest = status.status !== undefined ? Date.parse(status.status.timestamp) : nowMs;
  const cap = Math.min(historyCap(peerIntervalMs(node, opts.ownIntervalMs) / 60_000), (opts.limits ?? DEFAULT_PEER_LIMITS).maxEntries);
  const pages = supportsPages(node);
  const compact = opts.compact !== false && supportsCompact(node);
  const limit = compact ? compactPageEntries(units, cap, opts.compactPageChecks) : pages ? pageEntries(units, cap, opts.pageBytes) : cap;
  // The compact form is asked by a parameter the original does not know: only of a node that announced it.
  const format = compact ? '&format=cols' : '';
  const at = (since: number) => `&since=${encodeURIComponent(new Date(since).toISOString())}`;
  if (opts.mode !== 'forward' && wantsHead(node, opts.cursor, peerNewest)) {
    const since = opts.headCursor === undefined ? undefined : sinceFor(opts.headCursor);
    // Without `since` a node answers its newest `limit` entries of the range: the last day, newest first.
    const query = `range=24h&limit=${limit}${since === undefined ? '' : at(since)}${format}`;
    return since === undefined ? { query, head: true } : { query, since, head: true };
  }
  // A node that pages is read forward from a month ago even on the first pull, a page at a time.
  const since = supportsSince(node) ? (sinceFor(opts.cursor) ?? (pages ? nowMs - MONTH_MS : undefined)) : undefined;
  return { query: `range=30d&limit=${limit}${since !== undefined ? at(since) : ''}${format}`, ...(since !== undefined ? { since } : {}), head: false };
}

/** Errors read `status fetch failed: ...` / `history fetch failed: ...`, as the original's. */
export async function pullPeer(opts: PullOptions): Promise<PullResult> {
  const nowMs = (opts.now ?? Date.now)();
  const statusRes = await fetchDecoded(opts, '/api/node/status', 'status', nowMs);
  if (!statusRes.ok) return { ok: false, error: `status fetch failed: ${statusRes.error}` };
  const status = statusRes.value as NodeStatusPayload;

  const q = historyQuery(opts, status, nowMs);
  const historyRes = await fetchDecoded(opts, `/api/node/history?${q.query}`, 'history', nowMs);
  if (!historyRes.ok) return { ok: false, error: `history fetch failed: ${historyRes.error}` };

  return {
    ok: true,
    value: {
      status,
      history: historyRes.value as HistoryPage,
      ...(historyRes.compact === true ? { compact: true } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.head ? { head: true } : {}),
      bytes: (statusRes.bytes ?? 0) + (historyRes.bytes ?? 0),
    },
  };
}
