/**
 * One refresh of one peer: GET /api/node/status, then /api/node/history, both
 * validated. An original node gets exactly what the original asks
 * (`range=30d&limit=<cap>`); a node of ours that announces the `since`
 * feature is asked only for what is newer than the history already held.
 */
import { historyCap } from '../http/query.js';
import type { PeerClient, PeerEndpoint } from './client.js';
import { nodeStatusSchema, parseHistoryPayload, parsePayload, type NodeHistoryPayload, type NodeStatusPayload, type PeerNodeInfo } from './schema.js';

/** Newest samples already held for the peer (epoch ms). */
export interface PullCursor {
  lastStatusMs?: number;
  lastConnectivityMs?: number;
}

export interface Pulled {
  status: NodeStatusPayload;
  history: NodeHistoryPayload;
  /** The `since` sent, when the refresh was incremental. */
  since?: number;
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

/** JSON asked for per page from a node that pages. */
export const PAGE_BYTES = 16 * 1024 * 1024;

const MONTH_MS = 30 * 24 * 60 * 60 * 1000;

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
}

/** Errors read `status fetch failed: ...` / `history fetch failed: ...`, as the original's. */
export async function pullPeer(opts: PullOptions): Promise<PullResult> {
  const { client, peer, signal } = opts;
  const statusRes = await client.getJson(peer, '/api/node/status', signal);
  if (!statusRes.ok) return { ok: false, error: `status fetch failed: ${statusRes.error}` };
  const status = parsePayload(nodeStatusSchema, statusRes.body);
  if (!status.ok) return { ok: false, error: `status fetch failed: invalid payload: ${status.error}` };

  const node = status.value.node;
  const cap = historyCap(peerIntervalMs(node, opts.ownIntervalMs) / 60_000);
  const pages = supportsPages(node);
  const units = status.value.targets?.length ?? status.value.status?.checks.length ?? 1;
  const limit = pages ? pageEntries(units, cap, opts.pageBytes) : cap;
  // A node that pages is read forward from a month ago even on the first pull, a page at a time.
  const since = supportsSince(node) ? (sinceFor(opts.cursor) ?? (pages ? (opts.now ?? Date.now)() - MONTH_MS : undefined)) : undefined;
  const query = `range=30d&limit=${limit}${since !== undefined ? `&since=${encodeURIComponent(new Date(since).toISOString())}` : ''}`;
  const historyRes = await client.getJson(peer, `/api/node/history?${query}`, signal);
  if (!historyRes.ok) return { ok: false, error: `history fetch failed: ${historyRes.error}` };
  const history = await parseHistoryPayload(historyRes.body);
  if (!history.ok) return { ok: false, error: `history fetch failed: invalid payload: ${history.error}` };

  return {
    ok: true,
    value: {
      status: status.value,
      history: history.value,
      ...(since !== undefined ? { since } : {}),
      bytes: statusRes.bytes + historyRes.bytes,
    },
  };
}
