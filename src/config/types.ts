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
}

export interface PeerConfig {
  id: string;
  name: string;
  /** Without a trailing slash. */
  base_url: string;
  enabled: boolean;
  api_key?: string;
}

export interface DnsMonitorConfig {
  enabled: boolean;
  /** host, host:port, or [v6]:port; ":53" is implied when no port. */
  target: string;
  interval_seconds: number;
  timeout_seconds: number;
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
