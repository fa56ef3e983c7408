/**
 * Capacity management for the typed-array columns of the history logs.
 * Growth is by half again (not doubling) so a month of samples does not
 * reserve a second month of memory.
 */

export type NumberArray = Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array;

interface TypedArrayCtor<T extends NumberArray> {
  new (length: number): T;
}

/**
 * Returns `arr` when it already holds `needed` elements, else a larger copy of
 * the first `used` elements (the rest zeroed).
 */
export function ensureCapacity<T extends NumberArray>(arr: T, used: number, needed: number): T {
  if (needed <= arr.length) return arr;
  const ctor = arr.constructor as TypedArrayCtor<T>;
  const next = new ctor(Math.max(needed, Math.ceil(arr.length * 1.5), 64));
  next.set(arr.subarray(0, used));
  return next;
}

/** Makes room for `count` elements at `at` by moving `[at, used)` right. */
export function openGap(arr: NumberArray, used: number, at: number, count: number): void {
  if (at < used) arr.copyWithin(at + count, at, used);
}

/** Index of the first of the `n` sorted times at or after `ms` (= n when none). */
export function lowerBound(times: Float64Array, n: number, ms: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first of the `n` sorted times strictly after `ms` (= n when none). */
export function upperBound(times: Float64Array, n: number, ms: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows [lo, hi) of the `n` sorted times with fromMs <= t <= toMs; only the newest `limit` when given. */
export function timeWindow(times: Float64Array, n: number, fromMs: number, toMs: number, limit: number | undefined): [number, number] {
  let lo = lowerBound(times, n, fromMs);
  const hi = Math.max(lo, upperBound(times, n, toMs));
  if (limit !== undefined && limit >= 0 && hi - lo > limit) lo = hi - limit;
  return [lo, hi];
}
