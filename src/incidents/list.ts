/**
 * The body of GET /api/incidents: open incidents first, then those that
 * ended within the range, newest first, each with its duration.
 */
import { RANGE_MS, type RangeName } from '../types.js';
import type { Incident, IncidentList, StoredIncident } from './types.js';

/** Resolved incidents returned at most (the newest), unless a smaller limit is asked for. */
export const MAX_RESOLVED = 1000;

/** The wire form: duration up to `ended_at`, or up to `nowMs` while open, in whole seconds (never negative). */
export function withDuration(inc: StoredIncident, nowMs: number): Incident {
  const start = Date.parse(inc.started_at);
  const end = inc.ended_at === undefined ? nowMs : Date.parse(inc.ended_at);
  return { ...inc, duration_seconds: Math.max(0, Math.floor((end - start) / 1000)) };
}

/**
 * Open: every open incident, newest start first (an old one still open is not
 * hidden by the range). Resolved: those that ended in [now - range, now],
 * newest end first, cut to `limit`.
 */
export function listIncidents(all: Iterable<StoredIncident>, range: RangeName, nowMs: number, limit = MAX_RESOLVED): IncidentList {
  const start = nowMs - RANGE_MS[range];
  const open: StoredIncident[] = [];
  const resolved: StoredIncident[] = [];
  for (const inc of all) {
    if (inc.ended_at === undefined) open.push(inc);
    else if (Date.parse(inc.ended_at) >= start) resolved.push(inc);
  }
  const byStart = (a: StoredIncident, b: StoredIncident) => Date.parse(b.started_at) - Date.parse(a.started_at);
  open.sort((a, b) => byStart(a, b) || a.id.localeCompare(b.id));
  resolved.sort((a, b) => Date.parse(b.ended_at ?? '') - Date.parse(a.ended_at ?? '') || byStart(a, b) || a.id.localeCompare(b.id));
  return {
    generated_at: new Date(nowMs).toISOString(),
    range,
    range_start: new Date(start).toISOString(),
    range_end: new Date(nowMs).toISOString(),
    open: open.map((i) => withDuration(i, nowMs)),
    resolved: resolved.slice(0, Math.max(0, Math.min(limit, MAX_RESOLVED))).map((i) => withDuration(i, nowMs)),
    resolved_total: resolved.length,
  };
}
