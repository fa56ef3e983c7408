import type { ConnectivityStatus, StatusEntry } from '../types.js';
import { parseTime } from './time.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A StatusEntry read from disk, or why it is not one. Required: a usable
 * `timestamp` and `checks` whose items have string `id` and `name` and a
 * boolean `ok`. Other fields are kept as they are.
 */
export function acceptStatusEntry(v: unknown): StatusEntry | string {
  if (!isObject(v)) return 'not an object';
  if (Number.isNaN(parseTime(v.timestamp))) return 'bad timestamp';
  if (!Array.isArray(v.checks)) return 'checks is not a list';
  for (const c of v.checks) {
    if (!isObject(c) || typeof c.id !== 'string' || typeof c.name !== 'string' || typeof c.ok !== 'boolean') {
      return 'bad check';
    }
  }
  return v as unknown as StatusEntry;
}

/** A ConnectivityStatus read from disk, or why it is not one. */
export function acceptConnectivity(v: unknown): ConnectivityStatus | string {
  if (!isObject(v)) return 'not an object';
  if (Number.isNaN(parseTime(v.checked_at))) return 'bad checked_at';
  if (typeof v.ok !== 'boolean' || typeof v.target !== 'string' || typeof v.latency_ms !== 'number') {
    return 'bad probe sample';
  }
  if (v.error !== undefined && typeof v.error !== 'string') return 'bad error';
  return v as unknown as ConnectivityStatus;
}
