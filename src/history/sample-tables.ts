/**
 * The interned tables of a SampleLog: every distinct target id, (id, name)
 * pair, layout (the ordered pairs of one sample) and result is kept once and
 * referred to by index, so a sample is a layout index and one small result
 * code per check. Nothing here knows about samples or time.
 */
import type { CheckResult } from '../types.js';
import { classify } from './check-class.js';
import { ensureCapacity } from './growable.js';

/**
 * The part of a check result that is kept for every sample. Everything else
 * (`since`, `restarts`, `duration_ms`, unknown extras) changes every sample and
 * is kept only for the latest one.
 */
export interface InternedResult {
  ok: boolean;
  state?: string;
  error?: string;
  sub_state?: string;
  result?: string;
}

/** One distinct ordered list of (id, name) columns; almost every sample shares one. */
export interface LayoutView {
  /** Pair index per column. */
  readonly pairs: Uint32Array;
  /** Id index per column. */
  readonly ids: Uint32Array;
  /** Id index -> first column holding it, or -1. Ids newer than the layout are past the end. */
  readonly colOf: Int32Array;
  /** True when some id fills more than one column (duplicate ids in a sample). */
  readonly multi: boolean;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function resultKey(r: InternedResult): string {
  // \u0001 marks "absent" so that an empty string and a missing field stay distinct.
  const f = (v: string | undefined): string => (v === undefined ? '\u0001' : v);
  return `${r.ok ? 1 : 0}\u0000${f(r.state)}\u0000${f(r.error)}\u0000${f(r.sub_state)}\u0000${f(r.result)}`;
}

/** The kept part of a check result. */
export function toInterned(c: CheckResult): InternedResult {
  const r: InternedResult = { ok: c.ok === true };
  const state = str(c.state);
  const error = str(c.error);
  const sub = str(c.sub_state);
  const res = str(c.result);
  if (state !== undefined) r.state = state;
  if (error !== undefined) r.error = error;
  if (sub !== undefined) r.sub_state = sub;
  if (res !== undefined) r.result = res;
  return r;
}

/** True when `c` would intern to `r` (compared without building a key). */
export function sameResult(r: InternedResult, c: CheckResult): boolean {
  return (
    r.ok === (c.ok === true) &&
    r.state === str(c.state) &&
    r.error === str(c.error) &&
    r.sub_state === str(c.sub_state) &&
    r.result === str(c.result)
  );
}

/** See the module comment. */
export class SampleTables {
  readonly ids: string[] = [];
  readonly #idIndex = new Map<string, number>();
  /** Per pair: its id index and its name. */
  readonly pairIds: number[] = [];
  readonly pairNames: string[] = [];
  readonly #pairIndex = new Map<string, number>();
  readonly layouts: LayoutView[] = [];
  readonly #layoutIndex = new Map<string, number>();
  readonly results: InternedResult[] = [];
  readonly #resultIndex = new Map<string, number>();
  /** Per result: 1 when ok. */
  okOf = new Uint8Array(64);
  /** Per result: class bits from check-class.ts. */
  clsOf = new Uint8Array(64);

  /** Index of `id`, or -1. */
  idIndex(id: string): number {
    return this.#idIndex.get(id) ?? -1;
  }

  internId(id: string): number {
    let idx = this.#idIndex.get(id);
    if (idx === undefined) {
      idx = this.ids.length;
      this.ids.push(id);
      this.#idIndex.set(id, idx);
    }
    return idx;
  }

  internPair(idIdx: number, name: string): number {
    const key = `${idIdx}\u0000${name}`;
    let idx = this.#pairIndex.get(key);
    if (idx === undefined) {
      idx = this.pairIds.length;
      this.pairIds.push(idIdx);
      this.pairNames.push(name);
      this.#pairIndex.set(key, idx);
    }
    return idx;
  }

  internLayout(pairs: number[]): number {
    const key = pairs.join(',');
    let idx = this.#layoutIndex.get(key);
    if (idx === undefined) {
      idx = this.layouts.length;
      this.layouts.push(this.#makeLayout(pairs));
      this.#layoutIndex.set(key, idx);
    }
    return idx;
  }

  #makeLayout(pairs: number[]): LayoutView {
    const ids = Uint32Array.from(pairs, (p) => this.pairIds[p]!);
    const colOf = new Int32Array(this.ids.length).fill(-1);
    let multi = false;
    for (let j = 0; j < ids.length; j++) {
      if (colOf[ids[j]!] === -1) colOf[ids[j]!] = j;
      else multi = true;
    }
    return { pairs: Uint32Array.from(pairs), ids, colOf, multi };
  }

  /** The layout of `checks`; `previous` (the last sample's layout, or -1) is tried first, without hashing. */
  layoutFor(checks: readonly CheckResult[], previous: number): number {
    if (previous >= 0) {
      const l = this.layouts[previous]!;
      if (l.pairs.length === checks.length) {
        let same = true;
        for (let j = 0; j < checks.length && same; j++) {
          const p = l.pairs[j]!;
          const c = checks[j]!;
          same = this.pairNames[p] === c.name && this.ids[this.pairIds[p]!] === c.id;
        }
        if (same) return previous;
      }
    }
    const pairs = checks.map((c) => this.internPair(this.internId(str(c.id) ?? ''), str(c.name) ?? ''));
    return this.internLayout(pairs);
  }

  internResult(r: InternedResult): number {
    const key = resultKey(r);
    let idx = this.#resultIndex.get(key);
    if (idx === undefined) {
      idx = this.results.length;
      this.results.push(r);
      this.#resultIndex.set(key, idx);
      this.okOf = ensureCapacity(this.okOf, idx, idx + 1);
      this.clsOf = ensureCapacity(this.clsOf, idx, idx + 1);
      this.okOf[idx] = r.ok ? 1 : 0;
      this.clsOf[idx] = classify(r.ok, r.state, r.error);
    }
    return idx;
  }

  /**
   * New tables holding only the layouts and results marked used (with their
   * pairs and ids), and the maps from old to new indexes.
   */
  compacted(usedLayouts: Uint8Array, usedResults: Uint8Array): { tables: SampleTables; layoutMap: Uint32Array; resultMap: Uint32Array } {
    const tables = new SampleTables();
    const layoutMap = new Uint32Array(this.layouts.length);
    for (let l = 0; l < this.layouts.length; l++) {
      if (usedLayouts[l] === 0) continue;
      const pairs = Array.from(this.layouts[l]!.pairs, (p) => tables.internPair(tables.internId(this.ids[this.pairIds[p]!]!), this.pairNames[p]!));
      layoutMap[l] = tables.internLayout(pairs);
    }
    const resultMap = new Uint32Array(this.results.length);
    for (let r = 0; r < this.results.length; r++) {
      if (usedResults[r] === 1) resultMap[r] = tables.internResult(this.results[r]!);
    }
    return { tables, layoutMap, resultMap };
  }
}

/**
 * The JSON text of pairs and results, made once per table entry, so a
 * sample's JSON is a concatenation (no object is built per sample): the
 * serialisation cache of `SampleLog.entryJson`. Filled as entries are first
 * asked for; made anew when the tables are.
 */
export class JsonFragments {
  readonly #tables: SampleTables;
  /** Per pair: `{"id":…,"name":…,`. */
  readonly #heads: string[] = [];
  /** Per result: `"ok":…,"state":…` (no braces). */
  readonly #tails: string[] = [];

  constructor(tables: SampleTables) {
    this.#tables = tables;
  }

  pairHead(p: number): string {
    return (this.#heads[p] ??= `{"id":${JSON.stringify(this.#tables.ids[this.#tables.pairIds[p]!])},"name":${JSON.stringify(this.#tables.pairNames[p])},`);
  }

  resultTail(code: number): string {
    return (this.#tails[code] ??= jsonResultTail(this.#tables.results[code]!));
  }
}

function jsonResultTail(r: InternedResult): string {
  let s = `"ok":${r.ok ? 'true' : 'false'}`;
  if (r.state !== undefined) s += `,"state":${JSON.stringify(r.state)}`;
  if (r.error !== undefined) s += `,"error":${JSON.stringify(r.error)}`;
  if (r.sub_state !== undefined) s += `,"sub_state":${JSON.stringify(r.sub_state)}`;
  if (r.result !== undefined) s += `,"result":${JSON.stringify(r.result)}`;
  return s;
}
