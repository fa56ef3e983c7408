import type { ConnectivityStatus } from '../types.js';
import { ensureCapacity, openGap } from './growable.js';
import { TimeLog } from './time-log.js';
import { isoMs, parseTime } from './time.js';

/** The columns of a ConnectivityLog, as written to and read from compact segment files. */
export interface ConnectivityColumns {
  times: Float64Array;
  ok: Uint8Array;
  latency: Float64Array;
  /** Index into `targets`. */
  target: Uint32Array;
  /** 0 = no error field, k = errors[k - 1]. */
  error: Uint32Array;
  targets: string[];
  errors: string[];
  latest?: ConnectivityStatus;
}

/** Read-only access to the columns for the views; valid until the next mutation. */
export interface ConnectivityScanView {
  readonly length: number;
  readonly times: Float64Array;
  readonly ok: Uint8Array;
  /** 0 = no error field, k = errors[k - 1]. */
  readonly error: Uint32Array;
  readonly errors: readonly string[];
}

/**
 * In-memory, time-ordered log of DNS probe samples: 8 (time) + 8 (latency) +
 * 4 (error) + 4 (target) + 1 (ok) bytes per sample; error texts and targets
 * are interned. 30 days at 10 s is about 6.5 MB.
 *
 * Extra fields beyond the wire shape are kept only for the latest sample.
 * An older sample than the newest is inserted in time order.
 */
export class ConnectivityLog extends TimeLog<ConnectivityStatus> {
  #ok = new Uint8Array(64);
  #latency = new Float64Array(64);
  #target = new Uint32Array(64);
  #error = new Uint32Array(64);
  #targets: string[] = [];
  #targetIndex = new Map<string, number>();
  #errors: string[] = [];
  #errorIndex = new Map<string, number>();

  static fromEntries(entries: Iterable<ConnectivityStatus>): ConnectivityLog {
    const log = new ConnectivityLog();
    for (const e of entries) log.append(e);
    return log;
  }

  /** Adds one sample; false (nothing changed) when `checked_at` is not a usable time. */
  append(sample: ConnectivityStatus): boolean {
    const t = parseTime(sample.checked_at);
    if (Number.isNaN(t)) return false;
    const target = this.#internTarget(typeof sample.target === 'string' ? sample.target : '');
    const error = typeof sample.error === 'string' ? this.#internError(sample.error) : 0;
    const latency = typeof sample.latency_ms === 'number' && Number.isFinite(sample.latency_ms) ? sample.latency_ms : 0;
    this.#insert(t, sample.ok === true, latency, target, error);
    // The probe that arrived last, even when the clock went back (see SampleLog.latest).
    this.latestEntry = { ...sample };
    return true;
  }

  /** Appends every sample of `cols`, merging its tables. */
  appendColumns(cols: ConnectivityColumns): void {
    const targetMap = cols.targets.map((t) => this.#internTarget(t));
    const errorMap = [0, ...cols.errors.map((e) => this.#internError(e))];
    for (let i = 0; i < cols.times.length; i++) {
      this.#insert(cols.times[i]!, cols.ok[i] === 1, cols.latency[i]!, targetMap[cols.target[i]!]!, errorMap[cols.error[i]!]!);
    }
    const latest = cols.latest;
    if (latest !== undefined && this.n > 0 && parseTime(latest.checked_at) === this.times[this.n - 1]) {
      this.latestEntry = latest;
    }
  }

  /** Exports samples in [fromMs, toMs] (all by default) with their own tables. */
  toColumns(fromMs = -Infinity, toMs = Infinity): ConnectivityColumns {
    const lo = this.lowerBound(fromMs);
    const hi = this.upperBound(toMs);
    const targetMap = new Map<number, number>();
    const errorMap = new Map<number, number>([[0, 0]]);
    const cols: ConnectivityColumns = {
      times: this.times.slice(lo, hi),
      ok: this.#ok.slice(lo, hi),
      latency: this.#latency.slice(lo, hi),
      target: new Uint32Array(hi - lo),
      error: new Uint32Array(hi - lo),
      targets: [],
      errors: [],
    };
    for (let i = lo; i < hi; i++) {
      const g = this.#target[i]!;
      let t = targetMap.get(g);
      if (t === undefined) {
        t = cols.targets.length;
        targetMap.set(g, t);
        cols.targets.push(this.#targets[g]!);
      }
      cols.target[i - lo] = t;
      const ge = this.#error[i]!;
      let e = errorMap.get(ge);
      if (e === undefined) {
        cols.errors.push(this.#errors[ge - 1]!);
        e = cols.errors.length;
        errorMap.set(ge, e);
      }
      cols.error[i - lo] = e;
    }
    if (hi === this.n && hi > lo && this.latestEntry !== undefined) cols.latest = this.latestEntry;
    return cols;
  }

  /** Samples with fromMs <= checked_at <= toMs, oldest first; the newest `limit` when given. Fresh objects. */
  entries(fromMs: number, toMs: number, limit?: number): ConnectivityStatus[] {
    const [lo, hi] = this.window(fromMs, toMs, limit);
    const out: ConnectivityStatus[] = new Array(hi - lo);
    for (let i = lo; i < hi; i++) out[i - lo] = this.entryAt(i);
    return out;
  }

  /** Sample `i` in the wire shape (ms-precision `checked_at`). */
  entryAt(i: number): ConnectivityStatus {
    const e = this.#error[i]!;
    return {
      target: this.#targets[this.#target[i]!]!,
      ok: this.#ok[i] === 1,
      latency_ms: this.#latency[i]!,
      ...(e === 0 ? {} : { error: this.#errors[e - 1]! }),
      checked_at: isoMs(this.times[i]!),
    };
  }

  /** Drops samples older than `ms` (and error texts no longer used); returns how many. */
  pruneBefore(ms: number): number {
    const p = this.lowerBound(ms);
    if (p === 0) return 0;
    for (const a of [this.times, this.#ok, this.#latency, this.#target, this.#error]) a.copyWithin(0, p, this.n);
    this.n -= p;
    if (this.n === 0) this.latestEntry = undefined;
    else if (this.latestEntry !== undefined && parseTime(this.latestEntry.checked_at) < ms) this.latestEntry = this.entryAt(this.n - 1);
    this.#compactTables();
    this.revision++;
    return p;
  }

  scanView(): ConnectivityScanView {
    return { length: this.n, times: this.times, ok: this.#ok, error: this.#error, errors: this.#errors };
  }

  #internTarget(t: string): number {
    let idx = this.#targetIndex.get(t);
    if (idx === undefined) {
      idx = this.#targets.length;
      this.#targets.push(t);
      this.#targetIndex.set(t, idx);
    }
    return idx;
  }

  #internError(e: string): number {
    let idx = this.#errorIndex.get(e);
    if (idx === undefined) {
      this.#errors.push(e);
      idx = this.#errors.length;
      this.#errorIndex.set(e, idx);
    }
    return idx;
  }

  #insert(t: number, ok: boolean, latency: number, target: number, error: number): number {
    const n = this.n;
    const at = n === 0 || t >= this.times[n - 1]! ? n : this.upperBound(t);
    this.times = ensureCapacity(this.times, n, n + 1);
    this.#ok = ensureCapacity(this.#ok, n, n + 1);
    this.#latency = ensureCapacity(this.#latency, n, n + 1);
    this.#target = ensureCapacity(this.#target, n, n + 1);
    this.#error = ensureCapacity(this.#error, n, n + 1);
    if (at < n) for (const a of [this.times, this.#ok, this.#latency, this.#target, this.#error]) openGap(a, n, at, 1);
    this.times[at] = t;
    this.#ok[at] = ok ? 1 : 0;
    this.#latency[at] = latency;
    this.#target[at] = target;
    this.#error[at] = error;
    this.n = n + 1;
    this.revision++;
    return at;
  }

  #compactTables(): void {
    const oldTargets = this.#targets;
    const oldErrors = this.#errors;
    this.#targets = [];
    this.#targetIndex.clear();
    this.#errors = [];
    this.#errorIndex.clear();
    const targetMap = new Int32Array(oldTargets.length).fill(-1);
    const errorMap = new Int32Array(oldErrors.length + 1).fill(-1);
    errorMap[0] = 0;
    for (let i = 0; i < this.n; i++) {
      const t = this.#target[i]!;
      if (targetMap[t] === -1) targetMap[t] = this.#internTarget(oldTargets[t]!);
      this.#target[i] = targetMap[t]!;
      const e = this.#error[i]!;
      if (errorMap[e] === -1) errorMap[e] = this.#internError(oldErrors[e - 1]!);
      this.#error[i] = errorMap[e]!;
    }
  }
}
