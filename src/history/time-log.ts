/**
 * What both in-memory logs (SampleLog, ConnectivityLog) are: rows kept sorted
 * by time in a growable Float64Array, the entry appended last, and a version
 * that changes on every mutation. The subclasses own the row data and keep
 * `n`, `times`, `latestEntry` and `revision` up to date.
 */
import { lowerBound, timeWindow, upperBound } from './growable.js';

export abstract class TimeLog<E> {
  protected n = 0;
  protected times = new Float64Array(64);
  protected latestEntry: E | undefined;
  protected revision = 0;

  /** Number of samples. */
  get length(): number {
    return this.n;
  }

  /** Changes on every mutation; a cheap cache key for views. */
  get version(): number {
    return this.revision;
  }

  /**
   * The sample appended last (normally also the newest; not after the wall
   * clock went back), with the fields kept only for it. Loaded columns set it
   * only when their latest is the newest sample.
   */
  latest(): E | undefined {
    return this.latestEntry;
  }

  /** Time (ms) of the oldest sample. */
  firstTime(): number | undefined {
    return this.n > 0 ? this.times[0] : undefined;
  }

  /** Time (ms) of the newest sample. */
  lastTime(): number | undefined {
    return this.n > 0 ? this.times[this.n - 1] : undefined;
  }

  /** Index of the first sample at or after `ms` (= length when none). */
  lowerBound(ms: number): number {
    return lowerBound(this.times, this.n, ms);
  }

  /** Index of the first sample strictly after `ms` (= length when none). */
  upperBound(ms: number): number {
    return upperBound(this.times, this.n, ms);
  }

  /** Rows [lo, hi) with fromMs <= time <= toMs; only the newest `limit` when given. */
  protected window(fromMs: number, toMs: number, limit: number | undefined): [number, number] {
    return timeWindow(this.times, this.n, fromMs, toMs, limit);
  }
}
