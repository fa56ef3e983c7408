import { isoSeconds } from '../history/time.js';
import type { SampleLog } from '../history/sample-log.js';
import type { ServiceUptime } from '../types.js';
import {
  firstNames, lastSeen, lostBetween, scanRange, windowGaps, type LayoutRun, type RangeScan, type WindowGaps,
} from './range-scan.js';
import type { TimeWindow } from './history-queries.js';

/** A target as the views need it. */
export interface TargetRef {
  id: string;
  name: string;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Slots in the window in which a target should have been sampled but was
 * not. Ours (the original charges every slot of the window, including those
 * before the target existed):
 *
 * - Between two consecutive samples of the target, round(gap / interval) - 1
 *   slots are lost: steady sampling (with jitter or a slow drift) loses none,
 *   a 2-hour stop at 1 minute loses 120.
 * - Before the first sample in the window: floor((first - start) / interval)
 *   slots, but only if the target was sampled before the window (firstSeen):
 *   a target added later is not charged for the time before it existed.
 * - After the newest sample: floor((end - newest) / interval) - 1, so the
 *   current interval, whose sample may still be running (a sweep is stamped
 *   at its start and stored at its end), is never charged; a sample more than
 *   one interval overdue is.
 * - No sample in the window: ceil(window / interval) when the target was
 *   sampled before it (the daemon was down the whole window, as the
 *   original), else 0 (a target never sampled).
 * Once a target has been seen, samples without it (daemon down, target
 * removed from the config for a while) count as missing.
 */
export function missingSlots(
  scan: RangeScan,
  gaps: WindowGaps,
  idx: number,
  firstSeen: number | undefined,
): number {
  const I = gaps.intervalMs;
  if (firstSeen === undefined || !(I > 0) || firstSeen > scan.end) return 0;
  const v = scan.view;
  const present = (run: LayoutRun): boolean => {
    const colOf = v.layouts[run.layout]!.colOf;
    return idx >= 0 && idx < colOf.length && colOf[idx]! >= 0;
  };
  let missing = 0;
  let prevLast = -1;
  for (const run of gaps.runs) {
    if (!present(run)) continue;
    if (prevLast >= 0) missing += lostBetween(v.times[prevLast]!, v.times[run.lo]!, I);
    else if (firstSeen < scan.start) missing += Math.floor((v.times[run.lo]! - scan.start) / I);
    missing += gaps.prefix[run.hi - 1 - scan.lo]! - gaps.prefix[run.lo - scan.lo]!;
    prevLast = run.hi - 1;
  }
  if (prevLast < 0) return firstSeen < scan.start ? Math.max(0, Math.ceil((scan.end - scan.start) / I)) : 0;
  return missing + Math.max(0, Math.floor((scan.end - v.times[prevLast]!) / I) - 1);
}

/**
 * Uptime per service over [range.start, range.end] (both inclusive), as the
 * original's /api/node/uptime except for how missing slots are counted (see
 * {@link missingSlots}).
 *
 * Services: every given target plus every id sampled in the window, one row
 * per id, sorted by id. `passing`/`failing` count samples; missing slots are
 * added to `failing`; `uptime_percent` = round2(passing / total * 100), 0 when
 * total is 0. `last_state`/`last_updated` come from the newest sample in the
 * window with a non-empty state (`last_updated` in whole seconds). A target
 * without samples in the window shows zeros and no last_state; it is charged
 * missing slots only if it was sampled before the window (the daemon was
 * down for the whole window).
 *
 * Pass `scan` when the same window also feeds serviceTimelines.
 */
export function computeUptime(
  log: SampleLog,
  targets: readonly TargetRef[],
  range: TimeWindow,
  intervalMs: number,
  scan: RangeScan = scanRange(log, range),
): ServiceUptime[] {
  const v = scan.view;
  const names = new Map<string, string>();
  for (const t of targets) if (!names.has(t.id)) names.set(t.id, t.name);
  let seenNames: Map<number, string> | undefined;
  for (let idx = 0; idx < scan.count.length; idx++) {
    if (scan.count[idx] === 0) continue;
    const id = v.ids[idx]!;
    if (names.has(id)) continue;
    seenNames ??= firstNames(scan);
    names.set(id, seenNames.get(idx) ?? '');
  }

  let gaps: WindowGaps | undefined;
  const out: ServiceUptime[] = [];
  for (const id of [...names.keys()].sort(byId)) {
    const idx = log.idIndex(id);
    const inScan = idx >= 0 && idx < scan.count.length;
    const samples = inScan ? scan.count[idx]! : 0;
    const passing = inScan ? scan.passing[idx]! : 0;
    const last = inScan && samples > 0 ? lastSeen(scan, idx) : undefined;
    gaps ??= windowGaps(scan, intervalMs);
    const missing = missingSlots(scan, gaps, idx, log.firstSeen(id));
    const failing = samples - passing + missing;
    const total = passing + failing;
    const row: ServiceUptime = {
      id,
      name: names.get(id)!,
      uptime_percent: total > 0 ? round2((passing / total) * 100) : 0,
      total_checks: total,
      passing,
      failing,
      missing_slots: missing,
    };
    if (last !== undefined && last.stateIndex >= 0) {
      row.last_state = v.results[last.stateCode]!.state!;
      row.last_updated = isoSeconds(v.times[last.stateIndex]!);
    }
    out.push(row);
  }
  return out;
}
