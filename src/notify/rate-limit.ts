/**
 * A sliding-window rate limit: at most `limit` takes within any `windowMs`.
 * Keeps the times of the takes still inside the window (at most `limit`).
 * No clock of its own: every call is given the time.
 */
export interface RateWindow {
  readonly limit: number;
  /** Takes one slot at `atMs` when one is free; false (nothing taken) when the limit is reached. */
  take(atMs: number): boolean;
  /** When the next slot frees (epoch ms); `atMs` when one is free now. */
  nextFreeAt(atMs: number): number;
}

export function createRateWindow(limit: number, windowMs: number): RateWindow {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`rate limit must be a positive integer, got ${String(limit)}`);
  const times: number[] = [];
  const expire = (atMs: number): void => {
    while (times.length > 0 && times[0]! <= atMs - windowMs) times.shift();
  };
  return {
    limit,
    take(atMs) {
      expire(atMs);
      if (times.length >= limit) return false;
      times.push(atMs);
      return true;
    },
    nextFreeAt(atMs) {
      expire(atMs);
      return times.length < limit ? atMs : times[0]! + windowMs;
    },
  };
}
