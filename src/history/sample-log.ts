import type { CheckResult, StatusEntry } from '../types.js';
import { BlockIndex, type BlockRow, type BlockSummaries } from './block-index.js';
import { ensureCapacity, openGap } from './growable.js';
import { JsonFragments, SampleTables, sameResult, toInterned, type InternedResult, type LayoutView } from './sample-tables.js';
import { TimeLog } from './time-log.js';
import { isoMs, parseTime } from './time.js';

export type { InternedResult, LayoutView } from './sample-tables.js';

/**
 * Read-only access to the columns, for the views' scans. Valid until the next
 * mutation of the log (arrays may be reallocated); take a fresh one per query.
 */
export interface SampleScanView {
  readonly length: number;
  readonly times: Float64Array;
  readonly layoutOf: Uint32Array;
  /** Start of each sample's row in `codes`. */
  readonly offsets: Uint32Array;
  readonly codes: CodeColumn;
  readonly layouts: readonly LayoutView[];
  readonly results: readonly InternedResult[];
  /** Per result: 1 when ok. */
  readonly okOf: Uint8Array;
  /** Per result: class bits from check-class.ts. */
  readonly clsOf: Uint8Array;
  readonly ids: readonly string[];
  /** Per pair: its id index and its name. */
  readonly pairIds: readonly number[];
  readonly pairNames: readonly string[];
  /** Per-block summaries (block-index.ts), to skip whole blocks of samples. */
  readonly blocks: BlockSummaries;
}

/**
 * The columns of a log, as written to and read from compact segment files.
 * Indexes refer to the tables in the same object.
 */
export interface SampleColumns {
  times: Float64Array;
  layoutOf: Uint32Array;
  codes: Uint16Array | Uint32Array;
  ids: string[];
  /** [id index, name] per pair. */
  pairs: Array<[number, string]>;
  /** Pair indexes per layout. */
  layouts: number[][];
  results: InternedResult[];
  /** The newest sample with all its fields, when known. */
  latest?: StatusEntry;
}

/** The in-memory codes column: as narrow as the number of distinct results allows. */
export type CodeColumn = Uint8Array | Uint16Array | Uint32Array;

const U8_CODES = 0xff;
const U16_CODES = 0xffff;

/**
 * An in-memory, columnar, time-ordered log of StatusEntry samples.
 *
 * Memory: per sample 8 (time) + 4 (layout) + 4 (row offset) bytes, plus 1
 * byte per check while there are at most 256 distinct results (a host has
 * a handful: active, inactive, failed, ...), 2 bytes up to 65,536 and 4
 * beyond; distinct results, targets and layouts are interned once. 30 days
 * x 500 units at 1 minute is about 22 MB. (Segment files keep 16-bit codes
 * at least: the width in memory is not part of the disk format.)
 *
 * Order: samples are kept sorted by time. An entry older than the newest
 * (the wall clock went back) is inserted in place, after any equal times;
 * that costs a move of the later rows, which is fine for a rare event.
 *
 * Parts: this class is the row store (times, layout and code offset per
 * sample, the codes) and the columnar import/export of segment files; the
 * interned tables are sample-tables.ts (with the JSON fragments entryJson
 * joins), the per-block summaries the range scans skip with are
 * block-index.ts.
 *
 * The log knows nothing about files: the file store and the peer poller both
 * feed it StatusEntry values.
 */
export class SampleLog extends TimeLog<StatusEntry> {
  #layoutOf = new Uint32Array(64);
  #offsets = new Uint32Array(64);
  #codes: CodeColumn = new Uint8Array(1024);
  #codeLen = 0;

  #tables = new SampleTables();
  #json = new JsonFragments(this.#tables);
  /** Per id index: time of its first sample held (missing or NaN: none). */
  #firstSeen: number[] = [];
  readonly #blocks = new BlockIndex(() => this.#tables.okOf, () => this.#tables.clsOf);
  /**
   * Table sizes after the last compaction (or at the first prune): tables
   * are compacted again only when they have doubled since.
   */
  #compactedSizes: { ids: number; layouts: number; results: number } | undefined;
  #scratch = new Uint32Array(64);

  /** Builds a log from entries in any order; entries with an unusable timestamp are skipped. */
  static fromEntries(entries: Iterable<StatusEntry>): SampleLog {
    const log = new SampleLog();
    for (const e of entries) log.append(e);
    return log;
  }

  /**
   * Adds one sample. Returns false (and changes nothing) when its timestamp is
   * not a usable RFC 3339 time or `checks` is not an array of objects.
   * Fields of the wrong type are treated as absent (ids and names as "").
   */
  append(entry: StatusEntry): boolean {
    const t = parseTime(entry.timestamp);
    if (Number.isNaN(t) || !Array.isArray(entry.checks)) return false;
    const checks = entry.checks;
    for (const c of checks) if (typeof c !== 'object' || c === null) return false;
    const layoutIdx = this.#tables.layoutFor(checks, this.n > 0 ? this.#layoutOf[this.n - 1]! : -1);
    const width = checks.length;
    const codes = (this.#scratch = ensureCapacity(this.#scratch, 0, width));
    // Most samples repeat the previous sample's result in most columns: compare before hashing.
    const prev = this.n > 0 && this.#layoutOf[this.n - 1] === layoutIdx ? this.#offsets[this.n - 1]! : -1;
    for (let j = 0; j < width; j++) {
      const c = checks[j]!;
      if (prev >= 0) {
        const pc = this.#codes[prev + j]!;
        if (sameResult(this.#tables.results[pc]!, c)) {
          codes[j] = pc;
          continue;
        }
      }
      codes[j] = this.#internResult(toInterned(c));
    }
    this.#insertRow(t, layoutIdx, codes, 0, undefined);
    // The latest is the sample that arrived last, not the one with the newest time: after the wall
    // clock went back (an NTP step), new samples are older than one stamped before the step, and the
    // status must still show them (as the original, whose latest is its last appended entry).
    this.latestEntry = { ...entry, checks: checks.map((c) => ({ ...c })) };
    return true;
  }

  /**
   * Appends every sample of `cols` (a compact segment, or another log's
   * export), merging its tables into this log's. Samples keep time order.
   */
  appendColumns(cols: SampleColumns): void {
    const t = this.#tables;
    const idMap = cols.ids.map((id) => t.internId(id));
    const pairMap = cols.pairs.map(([id, name]) => t.internPair(idMap[id]!, name));
    const layoutMap = cols.layouts.map((pairs) => t.internLayout(pairs.map((p) => pairMap[p]!)));
    const resultMap = new Uint32Array(cols.results.length);
    for (let r = 0; r < cols.results.length; r++) resultMap[r] = this.#internResult(cols.results[r]!);
    this.#reserve(cols.times.length, cols.codes.length);
    if (!this.#insertRun(cols, layoutMap, resultMap)) {
      let off = 0;
      for (let i = 0; i < cols.times.length; i++) {
        const localLayout = cols.layoutOf[i]!;
        const width = cols.layouts[localLayout]!.length;
        this.#insertRow(cols.times[i]!, layoutMap[localLayout]!, cols.codes, off, resultMap);
        off += width;
      }
    }
    const latest = cols.latest;
    if (latest !== undefined && this.n > 0 && parseTime(latest.timestamp) === this.times[this.n - 1]) {
      this.latestEntry = latest;
    }
  }

  /** Exports the samples in [fromMs, toMs] (all by default) with their own compact tables. */
  toColumns(fromMs = -Infinity, toMs = Infinity): SampleColumns {
    const lo = this.lowerBound(fromMs);
    const hi = this.upperBound(toMs);
    const layoutMap = new Map<number, number>();
    const pairMap = new Map<number, number>();
    const idMap = new Map<number, number>();
    const resultMap = new Map<number, number>();
    const cols: SampleColumns = {
      times: this.times.slice(lo, hi),
      layoutOf: new Uint32Array(hi - lo),
      codes: new Uint16Array(0),
      ids: [],
      pairs: [],
      layouts: [],
      results: [],
    };
    const t = this.#tables;
    const codeStart = lo < this.n ? this.#offsets[lo]! : this.#codeLen;
    const codeEnd = hi < this.n ? this.#offsets[hi]! : this.#codeLen;
    const codes = new Uint32Array(codeEnd - codeStart);
    for (let i = lo; i < hi; i++) {
      const l = this.#layoutOf[i]!;
      let local = layoutMap.get(l);
      if (local === undefined) {
        local = cols.layouts.length;
        layoutMap.set(l, local);
        cols.layouts.push(
          Array.from(t.layouts[l]!.pairs, (p) => {
            let lp = pairMap.get(p);
            if (lp === undefined) {
              const gid = t.pairIds[p]!;
              let lid = idMap.get(gid);
              if (lid === undefined) {
                lid = cols.ids.length;
                idMap.set(gid, lid);
                cols.ids.push(t.ids[gid]!);
              }
              lp = cols.pairs.length;
              pairMap.set(p, lp);
              cols.pairs.push([lid, t.pairNames[p]!]);
            }
            return lp;
          }),
        );
      }
      cols.layoutOf[i - lo] = local;
    }
    for (let k = codeStart; k < codeEnd; k++) {
      const g = this.#codes[k]!;
      let local = resultMap.get(g);
      if (local === undefined) {
        local = cols.results.length;
        resultMap.set(g, local);
        cols.results.push(t.results[g]!);
      }
      codes[k - codeStart] = local;
    }
    cols.codes = cols.results.length <= U16_CODES ? Uint16Array.from(codes) : codes;
    if (hi === this.n && hi > lo && this.latestEntry !== undefined) cols.latest = this.latestEntry;
    return cols;
  }

  /** Time (ms) of sample `i` (0 = oldest). */
  timeAt(i: number): number {
    return this.times[i]!;
  }

  /** Time (ms) of the first sample containing `targetId`, among the samples still held. */
  firstSeen(targetId: string): number | undefined {
    const t = this.#firstSeen[this.#tables.idIndex(targetId)];
    return t === undefined || Number.isNaN(t) ? undefined : t;
  }

  /** Index of an id in the scan view's `ids`, or -1. */
  idIndex(targetId: string): number {
    return this.#tables.idIndex(targetId);
  }

  /**
   * Samples with fromMs <= time <= toMs, oldest first, in the wire shape
   * (timestamps in ms precision). With `limit`, only the newest `limit`.
   * The objects are fresh; the caller may keep or change them.
   */
  entries(fromMs: number, toMs: number, limit?: number): StatusEntry[] {
    const [lo, hi] = this.window(fromMs, toMs, limit);
    const out: StatusEntry[] = new Array(hi - lo);
    for (let i = lo; i < hi; i++) out[i - lo] = this.entryAt(i);
    return out;
  }

  /**
   * Like {@link entries} but yields each entry as JSON text, built from
   * cached fragments without creating objects: for streaming large
   * responses (30 days x 500 units is over 1 GB of JSON).
   */
  *entriesJson(fromMs: number, toMs: number, limit?: number): Generator<string, void, undefined> {
    const [lo, hi] = this.window(fromMs, toMs, limit);
    for (let i = lo; i < hi; i++) yield this.entryJson(i);
  }

  /** Sample `i` as a StatusEntry (ms-precision timestamp; no per-sample extras). */
  entryAt(i: number): StatusEntry {
    const t = this.#tables;
    const layout = t.layouts[this.#layoutOf[i]!]!;
    const off = this.#offsets[i]!;
    const checks: CheckResult[] = new Array(layout.pairs.length);
    for (let j = 0; j < layout.pairs.length; j++) {
      const p = layout.pairs[j]!;
      const r = t.results[this.#codes[off + j]!]!;
      const c: CheckResult = { id: t.ids[t.pairIds[p]!]!, name: t.pairNames[p]!, ok: r.ok };
      if (r.state !== undefined) c.state = r.state;
      if (r.error !== undefined) c.error = r.error;
      if (r.sub_state !== undefined) c.sub_state = r.sub_state;
      if (r.result !== undefined) c.result = r.result;
      checks[j] = c;
    }
    return { timestamp: isoMs(this.times[i]!), checks };
  }

  /** Sample `i` as compact JSON, equal to JSON.stringify(entryAt(i)). */
  entryJson(i: number): string {
    const layout = this.#tables.layouts[this.#layoutOf[i]!]!;
    const off = this.#offsets[i]!;
    const json = this.#json;
    const parts: string[] = new Array(layout.pairs.length);
    for (let j = 0; j < layout.pairs.length; j++) {
      parts[j] = `${json.pairHead(layout.pairs[j]!)}${json.resultTail(this.#codes[off + j]!)}}`;
    }
    return `{"timestamp":"${isoMs(this.times[i]!)}","checks":[${parts.join(',')}]}`;
  }

  /**
   * Drops samples older than `ms`; returns how many. Targets, names and
   * results no sample uses any more are forgotten once the tables have grown
   * to twice their size after the last such cleanup. A memory move of the
   * columns (tens of ms for 30 days x 500 units); fine to run hourly.
   */
  pruneBefore(ms: number): number {
    const p = this.lowerBound(ms);
    if (p === 0) return 0;
    const codeShift = p < this.n ? this.#offsets[p]! : this.#codeLen;
    this.times.copyWithin(0, p, this.n);
    this.#layoutOf.copyWithin(0, p, this.n);
    this.#offsets.copyWithin(0, p, this.n);
    this.#codes.copyWithin(0, codeShift, this.#codeLen);
    this.n -= p;
    this.#codeLen -= codeShift;
    for (let i = 0; i < this.n; i++) this.#offsets[i]! -= codeShift;
    if (this.n === 0) this.latestEntry = undefined;
    else if (this.latestEntry !== undefined && parseTime(this.latestEntry.timestamp) < ms) this.latestEntry = this.entryAt(this.n - 1);
    const t = this.#tables;
    const c = (this.#compactedSizes ??= { ids: t.ids.length, layouts: t.layouts.length, results: t.results.length });
    if (t.results.length > 2 * c.results + 1024 || t.layouts.length > 2 * c.layouts + 64 || t.ids.length > 2 * c.ids + 256) {
      this.#compactTables();
      this.#blocks.clear();
      this.#blocks.rebuildFrom(0, this.n, this.#rowAt);
      this.#recomputeFirstSeen(() => true);
    } else {
      // Keep block boundaries: drop the blocks now wholly pruned, redo the one pruned in part.
      this.#blocks.dropOldest(p, this.n, this.#rowAt);
      const first = this.n > 0 ? this.times[0]! : Infinity;
      this.#recomputeFirstSeen((id) => !(this.#firstSeen[id]! >= first));
    }
    this.revision++;
    return p;
  }

  /** Column access for the views; see {@link SampleScanView}. */
  scanView(): SampleScanView {
    return {
      length: this.n,
      times: this.times,
      layoutOf: this.#layoutOf,
      offsets: this.#offsets,
      codes: this.#codes,
      layouts: this.#tables.layouts,
      results: this.#tables.results,
      okOf: this.#tables.okOf,
      clsOf: this.#tables.clsOf,
      ids: this.#tables.ids,
      pairIds: this.#tables.pairIds,
      pairNames: this.#tables.pairNames,
      blocks: this.#blocks,
    };
  }

  /** Sample `i` as the block index reads it. */
  readonly #rowAt = (i: number): BlockRow => ({ ids: this.#tables.layouts[this.#layoutOf[i]!]!.ids, codes: this.#codes, offset: this.#offsets[i]! });

  /** Interns a result; the codes column widens to 16 bits past 256 distinct results, to 32 past 65,536. */
  #internResult(r: InternedResult): number {
    const idx = this.#tables.internResult(r);
    if (idx > U8_CODES && this.#codes instanceof Uint8Array) this.#codes = widened(this.#codes, this.#codeLen, idx);
    else if (idx > U16_CODES && this.#codes instanceof Uint16Array) this.#codes = widened(this.#codes, this.#codeLen, idx);
    return idx;
  }

  /** Makes room for `samples` more samples with `codes` more checks in one step. */
  #reserve(samples: number, codes: number): void {
    const n = this.n;
    this.times = ensureCapacity(this.times, n, n + samples);
    this.#layoutOf = ensureCapacity(this.#layoutOf, n, n + samples);
    this.#offsets = ensureCapacity(this.#offsets, n, n + samples);
    this.#codes = ensureCapacity(this.#codes, this.#codeLen, this.#codeLen + codes);
  }

  /**
   * Inserts every row of `cols` with one gap, when they are in time order and
   * all go to the same place among the rows held (e.g. a closed day loaded
   * after newer ones): row by row, each insert would move every later row, a
   * 220 ms stall of the main thread per day measured at start-up with 30 days
   * × 500 units. Where each row lands is what #insertRow would give. False
   * (nothing done) when the rows belong at the end or are spread among held
   * rows: the caller inserts them one by one.
   */
  #insertRun(cols: SampleColumns, layoutMap: readonly number[], remap: Uint32Array): boolean {
    const k = cols.times.length;
    const n = this.n;
    if (k < 2 || n === 0) return false;
    for (let i = 1; i < k; i++) if (!(cols.times[i - 1]! <= cols.times[i]!)) return false;
    const at = this.upperBound(cols.times[0]!);
    if (at === n || this.upperBound(cols.times[k - 1]!) !== at) return false;
    let width = 0;
    for (let i = 0; i < k; i++) width += cols.layouts[cols.layoutOf[i]!]!.length;
    this.times = ensureCapacity(this.times, n, n + k);
    this.#layoutOf = ensureCapacity(this.#layoutOf, n, n + k);
    this.#offsets = ensureCapacity(this.#offsets, n, n + k);
    this.#codes = ensureCapacity(this.#codes, this.#codeLen, this.#codeLen + width);
    const codeAt = this.#offsets[at]!;
    openGap(this.times, n, at, k);
    openGap(this.#layoutOf, n, at, k);
    openGap(this.#offsets, n, at, k);
    openGap(this.#codes, this.#codeLen, codeAt, width);
    for (let r = at + k; r < n + k; r++) this.#offsets[r]! += width;
    const codes = this.#codes;
    let src = 0;
    let dst = codeAt;
    for (let i = 0; i < k; i++) {
      const t = cols.times[i]!;
      const layoutIdx = layoutMap[cols.layoutOf[i]!]!;
      const layout = this.#tables.layouts[layoutIdx]!;
      this.times[at + i] = t;
      this.#layoutOf[at + i] = layoutIdx;
      this.#offsets[at + i] = dst;
      for (let j = 0; j < layout.ids.length; j++) {
        codes[dst + j] = remap[cols.codes[src + j]!]!;
        const id = layout.ids[j]!;
        if (!(this.#firstSeen[id]! <= t)) this.#firstSeen[id] = t;
      }
      src += layout.ids.length;
      dst += layout.ids.length;
    }
    this.n = n + k;
    this.#codeLen += width;
    this.#blocks.rebuildFrom(at, this.n, this.#rowAt);
    this.revision++;
    return true;
  }

  /** Inserts one row in time order; returns its index. */
  #insertRow(
    t: number,
    layoutIdx: number,
    src: ArrayLike<number>,
    srcOff: number,
    remap: Uint32Array | undefined,
  ): number {
    const layout = this.#tables.layouts[layoutIdx]!;
    const width = layout.pairs.length;
    const n = this.n;
    const at = n === 0 || t >= this.times[n - 1]! ? n : this.upperBound(t);
    this.times = ensureCapacity(this.times, n, n + 1);
    this.#layoutOf = ensureCapacity(this.#layoutOf, n, n + 1);
    this.#offsets = ensureCapacity(this.#offsets, n, n + 1);
    this.#codes = ensureCapacity(this.#codes, this.#codeLen, this.#codeLen + width);
    const codeAt = at === n ? this.#codeLen : this.#offsets[at]!;
    if (at < n) {
      openGap(this.times, n, at, 1);
      openGap(this.#layoutOf, n, at, 1);
      openGap(this.#offsets, n, at, 1);
      openGap(this.#codes, this.#codeLen, codeAt, width);
      for (let k = at + 1; k <= n; k++) this.#offsets[k]! += width;
    }
    this.times[at] = t;
    this.#layoutOf[at] = layoutIdx;
    this.#offsets[at] = codeAt;
    const codes = this.#codes;
    if (remap === undefined) for (let j = 0; j < width; j++) codes[codeAt + j] = src[srcOff + j]!;
    else for (let j = 0; j < width; j++) codes[codeAt + j] = remap[src[srcOff + j]!]!;
    this.n = n + 1;
    this.#codeLen += width;
    for (let j = 0; j < width; j++) {
      const id = layout.ids[j]!;
      // Missing (a new id) or NaN compares false: the first sample of it.
      if (!(this.#firstSeen[id]! <= t)) this.#firstSeen[id] = t;
    }
    if (at === n) this.#blocks.add(at, this.#rowAt(at));
    else this.#blocks.rebuildFrom(at, this.n, this.#rowAt);
    this.revision++;
    return at;
  }

  /** Drops interned ids, pairs, layouts and results no sample uses any more, and renumbers. */
  #compactTables(): void {
    const usedLayouts = new Uint8Array(this.#tables.layouts.length);
    for (let i = 0; i < this.n; i++) usedLayouts[this.#layoutOf[i]!] = 1;
    const usedResults = new Uint8Array(this.#tables.results.length);
    for (let k = 0; k < this.#codeLen; k++) usedResults[this.#codes[k]!] = 1;
    const { tables, layoutMap, resultMap } = this.#tables.compacted(usedLayouts, usedResults);
    this.#tables = tables;
    this.#json = new JsonFragments(tables);
    this.#firstSeen = [];
    for (let i = 0; i < this.n; i++) this.#layoutOf[i] = layoutMap[this.#layoutOf[i]!]!;
    const width = codeWidthFor(tables.results.length);
    if (width < this.#codes.BYTES_PER_ELEMENT) {
      const codes = newCodes(width, Math.max(this.#codeLen, 1024));
      for (let k = 0; k < this.#codeLen; k++) codes[k] = resultMap[this.#codes[k]!]!;
      this.#codes = codes;
    } else {
      for (let k = 0; k < this.#codeLen; k++) this.#codes[k] = resultMap[this.#codes[k]!]!;
    }
    this.#compactedSizes = { ids: tables.ids.length, layouts: tables.layouts.length, results: tables.results.length };
  }

  /** Sets firstSeen of the ids selected to their first remaining sample, found through the block summaries. */
  #recomputeFirstSeen(select: (id: number) => boolean): void {
    for (let id = 0; id < this.#tables.ids.length; id++) {
      if (!select(id)) continue;
      this.#firstSeen[id] = NaN;
      const k = this.#blocks.firstBlockOf(id);
      if (k < 0) continue;
      const to = Math.min(this.n, this.#blocks.startOf(k + 1));
      for (let i = Math.max(0, this.#blocks.startOf(k)); i < to && Number.isNaN(this.#firstSeen[id]!); i++) {
        const colOf = this.#tables.layouts[this.#layoutOf[i]!]!.colOf;
        if (id < colOf.length && colOf[id]! >= 0) this.#firstSeen[id] = this.times[i]!;
      }
    }
  }
}

/** Bytes per code for `count` distinct results. */
function codeWidthFor(count: number): 1 | 2 | 4 {
  return count <= U8_CODES + 1 ? 1 : count <= U16_CODES + 1 ? 2 : 4;
}

/** An empty codes column of `width` bytes per code. */
function newCodes(width: 1 | 2 | 4, length: number): CodeColumn {
  return width === 1 ? new Uint8Array(length) : width === 2 ? new Uint16Array(length) : new Uint32Array(length);
}

/** A copy of the first `used` codes in a column wide enough for code `idx`. */
function widened(codes: CodeColumn, used: number, idx: number): CodeColumn {
  const wide = newCodes(codeWidthFor(idx + 1), Math.max(codes.length, 1024));
  wide.set(codes.subarray(0, used));
  return wide;
}
