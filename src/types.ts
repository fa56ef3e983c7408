/**
 * The wire format of the original Go JobMonitor (v1.3), field for field
 * (see shared/reference/API.md). Times are RFC 3339 strings in UTC.
 * Optional fields are omitted (never `undefined`, never `null`) when empty,
 * exactly where the original omits them.
 *
 * This module holds types only: it is safe to import from workers, the
 * server and tests alike.
 */

/** One unit's result inside a sample. Extra fields are ours; the original ignores them. */
export interface CheckResult {
  id: string;
  name: string;
  ok: boolean;
  /** systemd ActiveState as `systemctl is-active` prints it; "unknown" when it could not be read. */
  state?: string;
  /** Set whenever `ok` is false. */
  error?: string;
  /** Ours: systemd SubState (e.g. "running", "dead"). */
  sub_state?: string;
  /** Ours: systemd Result (e.g. "success", "exit-code"). */
  result?: string;
  /** Ours: when the unit entered its current ActiveState (RFC 3339). */
  since?: string;
  /** Ours: systemd NRestarts. */
  restarts?: number;
  /** Ours: how long the check took, in milliseconds. */
  duration_ms?: number;
  /** Ours, latest sample only (never stored): with journal_lines > 0, the last journal lines of a unit that is not ok. */
  journal?: string[];
  /** Ours, latest sample only: why `journal` could not be read (journalctl missing, not permitted, timed out). */
  journal_error?: string;
}

/** One sample: every target checked in one sweep. `timestamp` is the sweep's start. */
export interface StatusEntry {
  timestamp: string;
  checks: CheckResult[];
}

/** A configured target as the API shows it. */
export interface Target {
  id: string;
  name: string;
  service: string;
  url?: string;
  timeout_seconds: number;
  use_sudo: boolean;
}

export interface NodeInfo {
  id: string;
  name: string;
  interval_minutes: number;
  connectivity_interval_seconds?: number;
}

/** One DNS probe sample. `latency_ms` is 0 with `error` set on failure. */
export interface ConnectivityStatus {
  target: string;
  ok: boolean;
  latency_ms: number;
  error?: string;
  checked_at: string;
}

export interface ServiceUptime {
  id: string;
  name: string;
  uptime_percent: number;
  total_checks: number;
  passing: number;
  failing: number;
  missing_slots: number;
  last_state?: string;
  /** Whole-second RFC 3339, as the original. */
  last_updated?: string;
}

export type TimelineClass = 'state-success' | 'state-error' | 'state-warning' | 'state-missing';

export interface TimelineDetail {
  timestamp: string;
  state?: string;
  error?: string;
}

export interface TimelinePoint {
  className: TimelineClass;
  label: string;
  start: string;
  end: string;
  details?: TimelineDetail[];
}

export interface ServiceTimeline {
  service_id: string;
  service_name: string;
  timeline: TimelinePoint[];
}

/** Ours, beside the original's fields in PeerSnapshot: freshness of a peer's data. */
export interface PeerSyncInfo {
  stale?: boolean;
  last_success_at?: string;
  consecutive_failures?: number;
  /** Present (true) while the peer's history is still being read: its card shows what has arrived, newest first. */
  syncing?: boolean;
}

export interface PeerSnapshot extends PeerSyncInfo {
  node: NodeInfo;
  status?: StatusEntry;
  connectivity?: ConnectivityStatus;
  connectivity_history?: ConnectivityStatus[];
  connectivity_timeline?: TimelinePoint[];
  history?: StatusEntry[];
  service_timelines?: ServiceTimeline[];
  services: ServiceUptime[];
  targets?: Target[];
  updated_at: string;
  error?: string;
  source: 'local' | 'peer';
}

/** The range names the API accepts (aliases normalised). */
export type RangeName = '24h' | '30d';

export const RANGE_MS: Readonly<Record<RangeName, number>> = {
  '24h': 24 * 60 * 60 * 1000,
  '30d': 30 * 24 * 60 * 60 * 1000,
};

/** Number of buckets in every timeline, as the original. */
export const TIMELINE_POINTS = 80;
