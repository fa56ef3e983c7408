/**
 * "Since when" a problem lasts, from what a cluster snapshot carries:
 * an explicit `since` (ours), a sample history, or the 80-bucket timeline.
 */
import { parseTime } from './format.js';
import type { ConnectivityStatus, TimelinePoint } from './types.js';

/**
 * Start of the trailing run of non-operational buckets, in ms, or null
 * when the timeline cannot tell (no run, or no operational bucket and no
 * sample details before it).
 *
 * The earliest bad sample named in the run's details is the first
 * observed failure; without details (only "No data" buckets), the run
 * starts where the last operational bucket ended.
 */
export function timelineProblemSince(points: readonly TimelinePoint[] | undefined): number | null {
  if (!points || points.length === 0) return null;
  const last = points[points.length - 1];
  if (!last || last.className === 'state-success') return null;
  let earliestDetail: number | null = null;
  let runStart: number | null = null;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (!p) break;
    if (p.className === 'state-success') {
      runStart = parseTime(p.end);
      break;
    }
    for (const d of p.details ?? []) {
      const t = parseTime(d.timestamp);
      if (t !== null && (earliestDetail === null || t < earliestDetail)) earliestDetail = t;
    }
  }
  return earliestDetail ?? runStart;
}

/** When the probe started failing: the oldest sample of the trailing failed run. */
export function connectivityProblemSince(
  history: readonly ConnectivityStatus[] | undefined,
  points: readonly TimelinePoint[] | undefined,
): number | null {
  if (history && history.length > 0) {
    let since: number | null = null;
    for (let i = history.length - 1; i >= 0; i--) {
      const s = history[i];
      if (!s || s.ok) break;
      since = parseTime(s.checked_at) ?? since;
    }
    if (since !== null) return since;
  }
  return timelineProblemSince(points);
}

/** A check's own `since` when present, else what its timeline says. */
export function checkProblemSince(
  since: string | undefined,
  points: readonly TimelinePoint[] | undefined,
): number | null {
  return parseTime(since) ?? timelineProblemSince(points);
}
