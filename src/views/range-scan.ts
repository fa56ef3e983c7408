import { CLS_DETAIL, CLS_HAS_STATE } from '../history/check-class.js';
import type { SampleLog, SampleScanView } from '../history/sample-log.js';
import { TIMELINE_POINTS } from '../types.js';
import { bucketBounds } from './buckets.js';
import type { TimeWindow } from './history-queries.js';



/**
 * Everything uptime and timelines need from one pass over a window: counts
 * per target over [start, end], and per target and bucket the OR of the
 * samples' class bits. Whole blocks of samples are added from the log's
 * block summaries, so 30 days x 500 units reads about a tenth of the samples.
 * Valid only until the log changes (see `version`).
 */
export interface RangeScan {
  readonly view: SampleScanView;
  readonly version: number;
  readonly start: number;
  readonly end: number;
  readonly points: number;
  /** Bucket boundaries: bucket b is [bounds[b], bounds[b + 1]); bounds[points] is the timeline end. */
  readonly bounds: Float64Array;
  /** First sample index of each bucket; first[points] is the end of the last bucket. */
  readonly first: Uint32Array;
  /** Samples of the uptime window: [lo, hi). */
  readonly lo: number;
  readonly hi: number;
  /** Per id index (log's): ok samples in [start, end]. */
  readonly passing: Uint32Array;
  /** Per id index: samples in [start, end]. */
  readonly count: Uint32Array;
  /** Per id index and bucket, at id * points + b: OR of class bits. */
  readonly flags: Uint8Array;
}

/** Scans `log` over `range` once; pass the result to computeUptime and serviceTimelines. */
export function scanRange(log: SampleLog, range: TimeWindow, points: number = TIMELINE_POINTS): RangeScan {
  const v = log.scanView();
  const { start, end } = range;
  const bounds = bucketBounds(start, end, points);
  const first = new Uint32Array(points + 1);
  for (let b = 0; b <= points; b++) first[b] = log.lowerBound(bounds[b]!);

  const nIds = v.ids.length;
  const passing = new Uint32Array(nIds);
  const count = new Uint32Array(nIds);
  const flags = new Uint8Array(nIds * points);
  const lo = log.lowerBound(start);
  const hi = Math.max(lo, log.upperBound(end));
  const normal = end > start;
  const acc: Totals = { v, points, passing, count, flags };
  for (let b = 0; b < points; b++) scanSpan(acc, first[b]!, first[b + 1]!, b, normal);
  // Samples exactly at `end` count for uptime but fall in no bucket; in an empty window only those count.
  if (normal) scanSpan(acc, first[points]!, hi, -1, true);
  else scanSpan(acc, lo, hi, -1, true);
  return { view: v, version: log.version, start, end, points, bounds, first, lo, hi, passing, count, flags };
}

/** What a scan adds to: per id counts over the window, and per id and bucket the class bits. */
interface Totals {
  v: SampleScanView;
  points: number;
  passing: Uint32Array;
  count: Uint32Array;
  flags: Uint8Array;
}

/** Adds samples [lo, hi) to `acc`: to the counts when `withCounts`, to bucket `bucket`'s flags when it is >= 0. */
function scanSpan(acc: Totals, lo: number, hi: number, bucket: number, withCounts: boolean): void {
  const { v, points, passing, count, flags } = acc;
  const blocks = v.blocks;
  // Whole blocks [kA, kB) inside [lo, hi) come from the summaries; the samples around them one by one.
  const [kA, kB] = blocks.wholeBlocks(lo, hi);
  if (kB - kA < 1) {
    scanSamples(acc, lo, hi, bucket, withCounts);
    return;
  }
  scanSamples(acc, lo, blocks.startOf(kA), bucket, withCounts);
  blocks.sum(kA, kB, (id, p, c, f) => {
    if (withCounts) {
      passing[id] = passing[id]! + p;
      count[id] = count[id]! + c;
    }
    if (bucket >= 0) flags[id * points + bucket] = flags[id * points + bucket]! | f;
  });
  scanSamples(acc, blocks.startOf(kB), hi, bucket, withCounts);
}

/** As scanSpan, one sample at a time. */
function scanSamples(acc: Totals, lo: number, hi: number, bucket: number, withCounts: boolean): void {
  const { v, points, passing, count, flags } = acc;
  const { codes, okOf, clsOf } = v;
  for (let i = lo; i < hi; i++) {
    const ids = v.layouts[v.layoutOf[i]!]!.ids;
    const off = v.offsets[i]!;
    for (let j = 0; j < ids.length; j++) {
      const code = codes[off + j]!;
      const id = ids[j]!;
      if (withCounts) {
        passing[id] = passing[id]! + okOf[code]!;
        count[id] = count[id]! + 1;
      }
      if (bucket >= 0) flags[id * points + bucket] = flags[id * points + bucket]! | clsOf[code]!;
    }
  }
}

/** Result codes of id `id` in sample `i`, in column order (usually one, none when absent). */
function codesOf(v: SampleScanView, i: number, id: number, out: number[]): number[] {
  out.length = 0;
  const layout = v.layouts[v.layoutOf[i]!]!;
  const off = v.offsets[i]!;
  if (!layout.multi) {
    const col = id < layout.colOf.length ? layout.colOf[id]! : -1;
    if (col >= 0) out.push(v.codes[off + col]!);
    return out;
  }
  for (let j = 0; j < layout.ids.length; j++) if (layout.ids[j] === id) out.push(v.codes[off + j]!);
  return out;
}

/** The newest sample of id in [lo, hi) and the newest one with a non-empty state (-1 when none). */
export interface LastSeen {
  /** Index of the newest sample containing the id, or -1. */
  index: number;
  /** Index and result code of the newest sample whose result has a state, or -1. */
  stateIndex: number;
  stateCode: number;
}

/** Finds the newest samples of id `id` in the scan's uptime window, skipping blocks without it. */
export function lastSeen(scan: RangeScan, id: number): LastSeen {
  const v = scan.view;
  const blocks = v.blocks;
  const res: LastSeen = { index: -1, stateIndex: -1, stateCode: -1 };
  const buf: number[] = [];
  let i = scan.hi - 1;
  while (i >= scan.lo) {
    // Whole-block summaries also rule out any part of the block.
    const k = blocks.blockOf(i);
    const fl = blocks.flags(k, id);
    if (fl < 0 || (res.index >= 0 && (fl & CLS_HAS_STATE) === 0)) {
      i = blocks.startOf(k) - 1;
      continue;
    }
    const codes = codesOf(v, i, id, buf);
    if (codes.length > 0) {
      if (res.index < 0) res.index = i;
      for (let c = codes.length - 1; c >= 0; c--) {
        const code = codes[c]!;
        if ((v.clsOf[code]! & CLS_HAS_STATE) !== 0) {
          res.stateIndex = i;
          res.stateCode = code;
          return res;
        }
      }
    }
    i--;
  }
  return res;
}

/** One detail-worthy sample: its index in the log and result code. */
export interface DetailSample {
  index: number;
  code: number;
}

/** The first `max` error or warning samples of id `id` in bucket `b`, oldest first. */
export function bucketDetails(scan: RangeScan, id: number, b: number, max: number): DetailSample[] {
  const v = scan.view;
  const blocks = v.blocks;
  const { codes, clsOf, offsets, layoutOf, layouts } = v;
  const out: DetailSample[] = [];
  const buf: number[] = [];
  const hi = scan.first[b + 1]!;
  let i = scan.first[b]!;
  while (i < hi && out.length < max) {
    // A block without such a sample of this id has none in any part of it either.
    const k = blocks.blockOf(i);
    const first = blocks.firstDetail(k, id);
    if (first < 0) {
      i = blocks.startOf(k + 1);
      continue;
    }
    // Jump to the block's first such sample when it is inside the bucket.
    if (first > i) i = first;
    const blockEnd = Math.min(hi, blocks.startOf(k + 1));
    for (; i < blockEnd && out.length < max; i++) {
      const layout = layouts[layoutOf[i]!]!;
      if (layout.multi) {
        for (const code of codesOf(v, i, id, buf)) {
          if ((clsOf[code]! & CLS_DETAIL) !== 0 && out.length < max) out.push({ index: i, code });
        }
        continue;
      }
      const col = id < layout.colOf.length ? layout.colOf[id]! : -1;
      if (col < 0) continue;
      const code = codes[offsets[i]! + col]!;
      if ((clsOf[code]! & CLS_DETAIL) !== 0) out.push({ index: i, code });
    }
  }
  return out;
}

/**
 * The name each id has in the first sample of the uptime window that holds
 * it (as the original, which registers names in history order).
 */
export function firstNames(scan: RangeScan): Map<number, string> {
  const v = scan.view;
  const names = new Map<number, string>();
  const seenLayouts = new Set<number>();
  for (let i = scan.lo; i < scan.hi; i++) {
    const l = v.layoutOf[i]!;
    if (seenLayouts.has(l)) continue;
    seenLayouts.add(l);
    for (const p of v.layouts[l]!.pairs) {
      const id = v.pairIds[p]!;
      if (!names.has(id)) names.set(id, v.pairNames[p]!);
    }
  }
  return names;
}

/** A run of consecutive samples of the window sharing one layout. */
export interface LayoutRun {
  lo: number;
  hi: number;
  layout: number;
}

/**
 * Sample gaps of the window for one interval: `prefix[k]` is the number of
 * slots lost between sample scan.lo and sample scan.lo + k, counting for
 * each pair of consecutive samples round(gap / interval) - 1 (so jitter and
 * a slowly drifting scheduler lose nothing, a 2-hour stop loses 120 slots at
 * 1 minute). `runs` lets a target absent from some layouts be handled.
 */
export interface WindowGaps {
  intervalMs: number;
  prefix: Float64Array;
  runs: LayoutRun[];
}

export function windowGaps(scan: RangeScan, intervalMs: number): WindowGaps {
  const v = scan.view;
  const n = scan.hi - scan.lo;
  const prefix = new Float64Array(Math.max(n, 1));
  const runs: LayoutRun[] = [];
  for (let k = 0; k < n; k++) {
    const i = scan.lo + k;
    if (k > 0) prefix[k] = prefix[k - 1]! + lostBetween(v.times[i - 1]!, v.times[i]!, intervalMs);
    const layout = v.layoutOf[i]!;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.layout === layout) last.hi = i + 1;
    else runs.push({ lo: i, hi: i + 1, layout });
  }
  return { intervalMs, prefix, runs };
}

/** Slots lost between two consecutive samples of one target. */
export function lostBetween(a: number, b: number, intervalMs: number): number {
  return Math.max(0, Math.round((b - a) / intervalMs) - 1);
}
