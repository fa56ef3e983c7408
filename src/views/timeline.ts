import { CLS_DETAIL, CLS_ERROR, CLS_MISSING, CLS_SUCCESS, CLS_WARNING } from '../history/check-class.js';
import type { SampleLog } from '../history/sample-log.js';
import { isoMs } from '../history/time.js';
import type { ServiceTimeline, TimelineClass, TimelineDetail, TimelinePoint } from '../types.js';
import { LABEL, MAX_DETAILS } from './buckets.js';
import { bucketDetails, firstNames, scanRange, type RangeScan } from './range-scan.js';
import type { TargetRef } from './uptime.js';
import type { TimeWindow } from './history-queries.js';

export { connectivityTimeline } from './connectivity-timeline.js';

function classOf(flags: number): TimelineClass {
  if ((flags & CLS_ERROR) !== 0) return 'state-error';
  if ((flags & CLS_MISSING) !== 0) return 'state-missing';
  if ((flags & CLS_WARNING) !== 0) return 'state-warning';
  if ((flags & CLS_SUCCESS) !== 0) return 'state-success';
  return 'state-missing';
}

/**
 * Per service, TIMELINE_POINTS buckets over the window, as the original's
 * BuildServiceTimelines: a bucket holds the samples with
 * bucketStart <= time < bucketEnd; its class by priority error > missing >
 * warning > success, "No data" when empty; up to 4 details (timestamp, state
 * and error when non-empty) of its error and warning samples, oldest first.
 *
 * Services: the targets, the ids sampled in the window and the ids of the
 * log's latest sample; empty ids are dropped. Name: the target's, else the
 * first one seen in the window, else the id. Sorted by lower-cased name
 * (then id, where the original's order is unspecified).
 */
export function serviceTimelines(
  log: SampleLog,
  targets: readonly TargetRef[],
  range: TimeWindow,
  scan: RangeScan = scanRange(log, range),
): ServiceTimeline[] {
  const v = scan.view;
  const names = new Map<string, string>();
  const register = (id: string, name: string): void => {
    if (id === '') return;
    if (!names.has(id) || names.get(id) === '') names.set(id, name === '' ? id : name);
  };
  for (const t of targets) register(t.id, t.name);
  const seen = firstNames(scan);
  for (const [idx, name] of seen) register(v.ids[idx]!, name);
  for (const c of log.latest()?.checks ?? []) register(c.id, c.name);

  const ids = [...names.keys()].sort((a, b) => {
    const na = names.get(a)!.toLowerCase();
    const nb = names.get(b)!.toLowerCase();
    return na < nb ? -1 : na > nb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });

  const P = scan.points;
  // Failures often hit many services in the same sample: format each sample's time once.
  const isoCache = new Map<number, string>();
  const isoOf = (index: number): string => {
    let s = isoCache.get(index);
    if (s === undefined) isoCache.set(index, (s = isoMs(v.times[index]!)));
    return s;
  };
  const starts: string[] = [];
  for (let b = 0; b <= P; b++) starts.push(isoMs(scan.bounds[b]!));

  return ids.map((id) => {
    const idx = log.idIndex(id);
    const has = idx >= 0 && idx < scan.count.length;
    const timeline: TimelinePoint[] = new Array(P);
    for (let b = 0; b < P; b++) {
      const flags = has ? scan.flags[idx * P + b]! : 0;
      const className = classOf(flags);
      const point: TimelinePoint = { className, label: LABEL[className], start: starts[b]!, end: starts[b + 1]! };
      if ((flags & CLS_DETAIL) !== 0) {
        const details = bucketDetails(scan, idx, b, MAX_DETAILS).map(({ index, code }): TimelineDetail => {
          const r = v.results[code]!;
          const d: TimelineDetail = { timestamp: isoOf(index) };
          if (r.state !== undefined && r.state !== '') d.state = r.state;
          if (r.error !== undefined && r.error !== '') d.error = r.error;
          return d;
        });
        if (details.length > 0) point.details = details;
      }
      timeline[b] = point;
    }
    return { service_id: id, service_name: names.get(id)!, timeline };
  });
}
