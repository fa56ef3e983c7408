/**
 * What a peer may send, bounded. A peer is outside this node's trust: every
 * payload is decoded within these limits (off the main thread, see
 * decode-pool.ts), and every string from it that can reach a log line, an
 * error, the API or the disk is cut to a known length. docs/clusters.md
 * lists them with their config keys.
 */

/** The limits a decode applies; the two a user may need to raise are config keys. */
export interface PeerLimits {
  /** Targets in `targets`, and checks in one status entry (config `peer_max_targets`). */
  maxTargets: number;
  /** Entries in `history`, and in `connectivity`, of one answer (config `peer_max_entries`). */
  maxEntries: number;
  /** Nesting of objects and lists in a body; ours is 5 deep at most. */
  maxDepth: number;
  /** How far ahead of this node's clock a peer's time may be (clock skew tolerated). */
  clockSkewMs: number;
}

/** 5,000 targets: ten times the largest fleet node we measure (500 units), far under what breaks /api/cluster. */
export const DEFAULT_MAX_TARGETS = 5_000;
/**
 * 100,000 entries per list per answer: an original node at a 1-minute interval
 * sends at most 43,205 (its 30-day cap); a node of ours sends pages far smaller.
 */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** Nesting allowed in a peer's body: our payloads are 5 deep; 32 leaves room and stops a nesting bomb before it is parsed. */
export const MAX_DEPTH = 32;
/** Clock skew tolerated: a time more than this ahead of ours is rejected, never stored, never a cursor. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const DEFAULT_PEER_LIMITS: Readonly<PeerLimits> = {
  maxTargets: DEFAULT_MAX_TARGETS,
  maxEntries: DEFAULT_MAX_ENTRIES,
  maxDepth: MAX_DEPTH,
  clockSkewMs: CLOCK_SKEW_MS,
};

/** Ids, names, services, states, results, URLs from a peer: longer ones are cut. */
export const MAX_NAME_CHARS = 256;
/** A check's or a probe's `error` text from a peer. */
export const MAX_ERROR_CHARS = 1_024;
/** A peer's error as this node shows and logs it (it may quote the peer). */
export const MAX_PEER_ERROR_CHARS = 512;
/** Time strings: RFC 3339 with nanoseconds is 35 characters. */
export const MAX_TIME_CHARS = 64;

const ELLIPSIS = '…';

/**
 * `s` when it has at most `max` characters, else its first characters and
 * `…(N more)`, so a reader sees that it was cut. Never longer than `max` plus
 * the marker (≤ 20 characters).
 */
export function boundText(s: string, max: number): string {
  if (s.length <= max) return s;
  // Do not split a surrogate pair.
  let end = max;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}${ELLIPSIS}(${s.length - end} more)`;
}

/** The limits in force: DEFAULT_PEER_LIMITS with the config keys that raise or lower them. */
export function peerLimitsFrom(config: { peer_max_targets?: number; peer_max_entries?: number }): PeerLimits {
  return {
    ...DEFAULT_PEER_LIMITS,
    ...(config.peer_max_targets !== undefined ? { maxTargets: config.peer_max_targets } : {}),
    ...(config.peer_max_entries !== undefined ? { maxEntries: config.peer_max_entries } : {}),
  };
}
