/**
 * The validated configuration, its types inferred from the schemas in
 * schema.ts (the one definition of each key, its rule and its default). Keys
 * and defaults are the original JobMonitor's (shared/seed/JobMonitor-README.md);
 * the ones marked "ours" are additions an original node never sees.
 */
import type * as v from 'valibot';
import type * as schema from './schema.js';

/** The whole validated file: every key with a default has its value (see DEFAULTS). */
export type Config = v.InferOutput<ReturnType<typeof schema.configSchema>>;
export type TargetConfig = v.InferOutput<typeof schema.targetSchema>;
export type PeerConfig = v.InferOutput<typeof schema.peerSchema>;
/** The DNS probe (`monitor_dns`, the original's name). */
export type DnsMonitorConfig = v.InferOutput<typeof schema.dnsSchema>;
/** Ours: where incident openings and resolutions are sent. */
export type NotificationConfig = v.InferOutput<typeof schema.notificationSchema>;
export type NotificationType = (typeof schema.NOTIFICATION_TYPES)[number];
export type NotificationEvent = (typeof schema.NOTIFICATION_EVENTS)[number];

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
