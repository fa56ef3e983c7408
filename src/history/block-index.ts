/**
 * Per-block summaries of a SampleLog, which let range scans skip whole
 * blocks of samples: for every target and every block of 32 consecutive
 * samples, how many results were ok, how many there were, the OR of their
 * class bits (check-class.ts) and where the block's first error or warning
 * sample is. 30 days x 500 units is read about ten times faster this way.
 *
 * Samples are numbered as in the log. Block k holds samples
 * [k*32 - base, (k+1)*32 - base): pruning the oldest samples moves `base`
 * instead of recomputing every block.
 */
import { CLS_DETAIL } from './check-class.js';
import { ensureCapacity } from './growable.js';

const BLOCK = 32;

/** One sample as the index needs it: the target (id index) and result code of each column. */
export interface BlockRow {
  readonly ids: Uint32Array;
  readonly codes: ArrayLike<number>;
  readonly offset: number;
}

/** What the range scans read: block bounds and summaries, never the arrays behind them. */
export interface BlockSummaries {
  /** The block holding sample `i`. */
  blockOf(i: number): number;
  /** Index of the first sample of block `k` (negative for the first block after a prune). */
  startOf(k: number): number;
  /** The blocks lying wholly inside samples [lo, hi): [kA, kB), empty when kB <= kA. */
  wholeBlocks(lo: number, hi: number): [number, number];
  /** For every target with samples in blocks [kA, kB): ok results, results, OR of class bits. */
  sum(kA: number, kB: number, visit: (id: number, passing: number, count: number, flags: number) => void): void;
  /** OR of the class bits of target `id` over block `k`, or -1 when the block has no sample of it. */
  flags(k: number, id: number): number;
  /** Index of the first error or warning sample of target `id` in block `k`, or -1 when none. */
  firstDetail(k: number, id: number): number;
}

/** See the module comment. The log calls add/rebuild/drop as its rows change. */
export class BlockIndex implements BlockSummaries {
  /** Per id index, per block k: [passing, count, flags] at 3*k; flags bits 8-13 = 1 + offset of the first detail sample. */
  #stats: (Uint16Array | undefined)[] = [];
  #count = 0;
  #base = 0;
  readonly #okOf: () => Uint8Array;
  readonly #clsOf: () => Uint8Array;

  /** `okOf`/`clsOf`: per result code, 1 when ok, and its class bits (the interner's tables, which may grow). */
  constructor(okOf: () => Uint8Array, clsOf: () => Uint8Array) {
    this.#okOf = okOf;
    this.#clsOf = clsOf;
  }

  blockOf(i: number): number {
    return Math.floor((i + this.#base) / BLOCK);
  }

  startOf(k: number): number {
    return k * BLOCK - this.#base;
  }

  wholeBlocks(lo: number, hi: number): [number, number] {
    return [Math.ceil((lo + this.#base) / BLOCK), Math.floor((hi + this.#base) / BLOCK)];
  }

  sum(kA: number, kB: number, visit: (id: number, passing: number, count: number, flags: number) => void): void {
    for (let id = 0; id < this.#stats.length; id++) {
      const st = this.#stats[id];
      if (st === undefined) continue;
      let p = 0;
      let c = 0;
      let f = 0;
      const end = Math.min(kB * 3, st.length);
      for (let x = kA * 3; x < end; x += 3) {
        p += st[x]!;
        c += st[x + 1]!;
        f |= st[x + 2]!;
      }
      if (c > 0) visit(id, p, c, f & 0xff);
    }
  }

  flags(k: number, id: number): number {
    const st = this.#stats[id];
    const x = k * 3;
    return st !== undefined && x < st.length && st[x + 1]! > 0 ? st[x + 2]! & 0xff : -1;
  }

  firstDetail(k: number, id: number): number {
    const st = this.#stats[id];
    const x = k * 3;
    const fl = st !== undefined && x < st.length && st[x + 1]! > 0 ? st[x + 2]! : 0;
    return (fl & CLS_DETAIL) === 0 ? -1 : this.startOf(k) + (fl >> 8) - 1;
  }

  /** The first block holding a sample of `id`, or -1. */
  firstBlockOf(id: number): number {
    const st = this.#stats[id];
    if (st === undefined) return -1;
    for (let k = 0; k < this.#count && k * 3 < st.length; k++) if (st[k * 3 + 1] !== 0) return k;
    return -1;
  }

  /** Adds sample `i` (the newest, or one being re-added by a rebuild). */
  add(i: number, row: BlockRow): void {
    const k = this.blockOf(i);
    if (k >= this.#count) this.#count = k + 1;
    const okOf = this.#okOf();
    const clsOf = this.#clsOf();
    const firstDetail = (i + this.#base - k * BLOCK + 1) << 8;
    const x = k * 3;
    for (let j = 0; j < row.ids.length; j++) {
      const id = row.ids[j]!;
      let st = this.#stats[id];
      if (st === undefined || st.length < x + 3) {
        st = ensureCapacity(st ?? new Uint16Array(0), st?.length ?? 0, Math.max(x + 3, this.#count * 3));
        this.#stats[id] = st;
      }
      const c = row.codes[row.offset + j]!;
      const cls = clsOf[c]!;
      st[x] = st[x]! + okOf[c]!;
      st[x + 1] = st[x + 1]! + 1;
      let flags = st[x + 2]! | cls;
      if ((cls & CLS_DETAIL) !== 0 && flags < 256) flags |= firstDetail;
      st[x + 2] = flags;
    }
  }

  /** Recomputes the summaries from the block holding sample `i` on; `rowAt` gives samples up to `n`. */
  rebuildFrom(i: number, n: number, rowAt: (s: number) => BlockRow): void {
    const k = Math.max(0, this.blockOf(i));
    for (const st of this.#stats) st?.fill(0, k * 3);
    this.#count = Math.min(this.#count, k);
    for (let s = Math.max(0, this.startOf(k)); s < n; s++) this.add(s, rowAt(s));
  }

  /** Forgets everything (the tables were renumbered); block boundaries start again at sample 0. */
  clear(): void {
    this.#stats = [];
    this.#count = 0;
    this.#base = 0;
  }

  /**
   * The `p` oldest samples were dropped (`n` remain): drops the blocks now
   * wholly gone and recomputes the first one, which may have lost part.
   */
  dropOldest(p: number, n: number, rowAt: (s: number) => BlockRow): void {
    const shift = this.#base + p;
    const drop = Math.min(this.#count, Math.floor(shift / BLOCK));
    for (const st of this.#stats) {
      if (st === undefined) continue;
      st.copyWithin(0, drop * 3);
      st.fill(0, Math.max(0, st.length - drop * 3));
    }
    this.#count -= drop;
    this.#base = shift % BLOCK;
    if (this.#count === 0) return;
    for (const st of this.#stats) st?.fill(0, 0, 3);
    const end = Math.min(n, BLOCK - this.#base);
    for (let s = 0; s < end; s++) this.add(s, rowAt(s));
  }
}
