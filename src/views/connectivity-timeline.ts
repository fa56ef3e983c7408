import type { ConnectivityLog, ConnectivityScanView } from '../history/connectivity-log.js';
import { isoMs } from '../history/time.js';
import type { TimelineClass, TimelineDetail, TimelinePoint } from '../types.js';
import { TIMELINE_POINTS } from '../types.js';
import { bucketBounds, MAX_DETAILS } from './buckets.js';
import type { TimeWindow } from './history-queries.js';


const MINUTE = 60_000;

/** k-th smallest of a[0..n) (reorders a). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * How long a sample's state is carried into empty buckets: twice the median
 * interval between samples, within [1 min, 2 h]; 5 min with fewer than two
 * samples (the original's rule).
 */
export function carryForwardGap(times: Float64Array, from: number, to: number): number {
  const diffs = new Float64Array(Math.max(0, to - from - 1));
  let n = 0;
  for (let i = from + 1; i < to; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) diffs[n++] = d;
  }
  if (n === 0) return 5 * MINUTE;
  const median = select(diffs, n, n >>> 1);
  return Math.min(120 * MINUTE, Math.max(MINUTE, median * 2));
}

function errorText(v: ConnectivityScanView, i: number): string {
  const e = v.error[i]!;
  return e === 0 ? '' : v.errors[e - 1]!;
}

function classOf(v: ConnectivityScanView, i: number): [TimelineClass, string] {
  if (v.ok[i] === 1) return ['state-success', 'Operational'];
  if (errorText(v, i) !== '') return ['state-error', 'Unavailable'];
  return ['state-warning', 'Unknown'];
}

function detail(v: ConnectivityScanView, i: number, at: number): TimelineDetail {
  const err = errorText(v, i);
  const state = v.ok[i] === 1 ? 'online' : err !== '' ? 'offline' : 'unknown';
  return err === '' ? { timestamp: isoMs(at), state } : { timestamp: isoMs(at), state, error: err };
}

/**
 * The DNS probe timeline, as the original's BuildConnectivityTimeline: a
 * bucket takes the samples with time <= bucketEnd not taken by an earlier
 * bucket, and shows the last one's state (online = success "Operational",
 * error = error "Unavailable", otherwise warning "Unknown") with up to 4
 * details (first samples). An empty bucket repeats the previous sample's
 * state (one detail stamped at the bucket start) while the bucket starts
 * within {@link carryForwardGap} of it, else it is "No data". The sample
 * just before the window counts as previous; the gap is derived from the
 * samples of the window and that one.
 */
export function connectivityTimeline(log: ConnectivityLog, range: TimeWindow, points: number = TIMELINE_POINTS): TimelinePoint[] {
  const v = log.scanView();
  const bounds = bucketBounds(range.start, range.end, points);
  let idx = log.lowerBound(range.start);
  let last = idx - 1;
  const gap = carryForwardGap(v.times, Math.max(0, last), log.upperBound(bounds[points]!));
  const out: TimelinePoint[] = new Array(points);
  for (let b = 0; b < points; b++) {
    const start = bounds[b]!;
    const end = bounds[b + 1]!;
    const point: TimelinePoint = { className: 'state-missing', label: 'No data', start: isoMs(start), end: isoMs(end) };
    const next = Math.max(idx, log.upperBound(end));
    if (next > idx) {
      [point.className, point.label] = classOf(v, next - 1);
      const details: TimelineDetail[] = [];
      for (let i = idx; i < next && details.length < MAX_DETAILS; i++) details.push(detail(v, i, v.times[i]!));
      point.details = details;
      last = next - 1;
      idx = next;
    } else if (last >= 0 && start - v.times[last]! <= gap) {
      [point.className, point.label] = classOf(v, last);
      point.details = [detail(v, last, start)];
    }
    out[b] = point;
  }
  return out;
}
