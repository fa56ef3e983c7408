/**
 * What a status or uptime badge says, from a target's latest check or its
 * uptime row. Pure: the routes fetch the data, this picks text and colour.
 */
import { classify, CLS_ERROR, CLS_SUCCESS, CLS_WARNING } from '../history/check-class.js';
import type { CheckResult, ServiceUptime } from '../types.js';
import type { Badge, BadgeColor } from './badge-svg.js';

/**
 * The unit's state at the newest sample, coloured as the dashboard's timeline:
 * green operational, yellow transitioning, red unavailable, grey unknown.
 * A sample older than the staleness limit is grey and says "(stale)": the
 * daemon stopped sampling, so the state is no longer known.
 */
export function statusBadge(label: string, check: CheckResult | undefined, stale: boolean): Badge {
  if (check === undefined) return { label, message: 'no data', color: 'lightgrey' };
  const state = check.state === undefined || check.state === '' ? 'unknown' : check.state;
  if (stale) return { label, message: `${state} (stale)`, color: 'lightgrey' };
  const cls = classify(check.ok, check.state, check.error);
  const color: BadgeColor = cls & CLS_SUCCESS ? 'brightgreen' : cls & CLS_WARNING ? 'yellow' : cls & CLS_ERROR ? 'red' : 'lightgrey';
  return { label, message: state, color };
}

/** Uptime colour levels: >= 99.9 %, >= 99 %, >= 95 %, >= 90 %, below. */
export function uptimeColor(percent: number): BadgeColor {
  if (percent >= 99.9) return 'brightgreen';
  if (percent >= 99) return 'green';
  if (percent >= 95) return 'yellow';
  if (percent >= 90) return 'orange';
  return 'red';
}

/** "99.95%" (two decimals at most, as uptime_percent), or "no data" before the first sample in the window. */
export function uptimeBadge(label: string, row: ServiceUptime | undefined): Badge {
  if (row === undefined || row.total_checks === 0) return { label, message: 'no data', color: 'lightgrey' };
  return { label, message: `${Number(row.uptime_percent.toFixed(2))}%`, color: uptimeColor(row.uptime_percent) };
}

/** The shields.io endpoint schema (https://shields.io/badges/endpoint-badge). */
export interface ShieldsEndpoint {
  schemaVersion: 1;
  label: string;
  message: string;
  color: BadgeColor;
  /** Set when the badge reports missing or stale data. */
  isError?: true;
}

export function shieldsEndpoint(badge: Badge): ShieldsEndpoint {
  return {
    schemaVersion: 1,
    label: badge.label,
    message: badge.message,
    color: badge.color,
    ...(badge.color === 'lightgrey' ? { isError: true as const } : {}),
  };
}
