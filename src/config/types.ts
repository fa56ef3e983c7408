/**
 * The validated configuration. Keys and defaults are the original JobMonitor's
 * (shared/seed/JobMonitor-README.md); the ones marked "ours" are additions an
 * original node never sees.
 */

export interface TargetConfig {
  id: string;
  name: string;
  /** Normalised: ".service" appended when the unit has no type suffix, as systemctl does. */
  service: string;
  url?: string;
  timeout_seconds: number;
  use_sudo: boolean;
  // Absent = the top-level default
  /** Ours: failing samples in a row before an incident opens (default: top-level failure_threshold). */
  failure_threshold?: number;
  /** Ours: passing samples in a row before an incident closes (default: top-level success_threshold). */
  success_threshold?: number;
}

export interface PeerConfig {
  id: string;
  name: string;
  /** Without a trailing slash. */
  base_url: string;
  enabled: boolean;
  api_key?: string;
  // Absent = DEFAULTS.peer_thresholds
  /** Ours: failed refreshes in a row before a "peer stopped syncing" incident opens (default 3). */
  failure_threshold?: number;
  /** Ours: good refreshes in a row before it closes (default 1). */
  success_threshold?: number;
}

export interface DnsMonitorConfig {
  enabled: boolean;
  /** host, host:port, or [v6]:port; ":53" is implied when no port. */
  target: string;
  interval_seconds: number;
  timeout_seconds: number;
  // Absent = DEFAULTS.probe_thresholds
  /** Ours: failed probes in a row before an incident opens (default 3). */
  failure_threshold?: number;
  /** Ours: good probes in a row before it closes (default 1). */
  success_threshold?: number;
}

export type NotificationType = 'webhook' | 'ntfy' | 'slack' | 'discord';
export type NotificationEvent = 'open' | 'resolve';

/** Ours: where incident openings and resolutions are sent. */
export interface NotificationConfig {
  id: string;
  type: NotificationType;
  /** http(s); for ntfy the server (the topic is appended) or the topic's full URL. */
  url: string;
  /** ntfy only: the topic, appended to url. */
  topic?: string;
  /** Extra request headers (e.g. Authorization), names as written. */
  headers?: Record<string, string>;
  /** Which events are sent (default both). */
  on: NotificationEvent[];
  /** Per attempt (default 10). */
  timeout_seconds: number;
  /** More unit openings (or resolutions) than this in one sweep go out as one message (default 5). */
  group_threshold?: number;
  /** Messages to this receiver in any hour; past it they are held back and logged (default 20; 0 = no limit). */
  rate_limit_per_hour?: number;
}

export interface Config {
  /** May be fractional (ours: lets tests run fast); the wire shows it rounded, at least 1. */
  interval_minutes: number;
  data_directory: string;
  node_id: string;
  node_name: string;
  peer_refresh_seconds: number;
  monitor_dns: DnsMonitorConfig;
  targets: TargetConfig[];
  peers: PeerConfig[];
  /** Ours: when set, every /api/* route requires `Authorization: Bearer <api_key>`. */
  api_key?: string;
  /** Ours: days of history kept on disk and in memory (default 30); whole daily segments older than this plus one day are removed. */
  retention_days: number;
  /** Ours: browser origins allowed to call the API (CORS), e.g. "https://intranet.example.com"; "*" for any. Default none. */
  cors_origins?: string[];
  /** Ours: CSP frame-ancestors sources allowed to embed the page in a frame. Default none ('none'). */
  frame_ancestors?: string[];
  /** Ours: the largest response read from a peer, in bytes; the transfer is aborted past it (default 8 MiB when absent). */
  peer_max_response_bytes?: number;
  /** Ours: targets a peer may list, and checks in one of its samples; a payload with more is refused (default 5,000 when absent). */
  peer_max_targets?: number;
  /** Ours: history (and connectivity) entries one peer answer may hold; more is refused (default 100,000 when absent). */
  peer_max_entries?: number;
  /** Ours: ask peers of ours that announce `cols` for compact history pages (default true when absent; false: JSON pages). */
  peer_compact_wire?: boolean;
  // Absent = defaults
  /** Ours: default for every target: failing samples in a row before an incident opens (default 1). */
  failure_threshold?: number;
  /** Ours: default for every target: passing samples in a row before an incident closes (default 1). */
  success_threshold?: number;
  /** Ours: absent when the file has none. */
  notifications?: NotificationConfig[];
  // Absent = defaults
  /** Ours: serve /metrics without the api_key (default false: it needs the key like /api/*). */
  metrics_public?: boolean;
  /** Ours: serve /api/badge/* without the api_key, for READMEs (default false). */
  badges_public?: boolean;
  /** Ours: last journal lines shown for a unit that is not ok, in /api/node/status (default 0 = off: logs may hold secrets). */
  journal_lines?: number;
}

/** One problem found in a config file, with where it is. */
export interface ConfigIssue {
  /** e.g. "targets[2].service"; "" for the whole document. */
  path: string;
  message: string;
  /** 1-based, when known (YAML syntax errors, and keys located in the source). */
  line?: number;
  column?: number;
}

export type ParseResult =
  | { ok: true; config: Config }
  | { ok: false; issues: ConfigIssue[] };

/** `targets[2].service: not a valid systemd unit name` (with ` (line 9, column 14)` when known). */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? '' : `${issue.path}: `;
  const at = issue.line === undefined ? '' : ` (line ${issue.line}${issue.column === undefined ? '' : `, column ${issue.column}`})`;
  return `${where}${issue.message}${at}`;
}
