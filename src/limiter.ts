/**
 * A concurrency limiter: at most `limit` tasks run at once, the rest wait in
 * order. Shared by the check pool (jobs in flight) and the peer poller (peers
 * refreshed at once).
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks waiting for a slot. */
  waiting(): number;
  /** Tasks running now. */
  active(): number;
}

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number >= 1, got ${limit}`);
  let active = 0;
  const queue: (() => void)[] = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      // A finishing task hands its slot straight to the next waiter, so `active` never
      // overshoots: a new caller arriving between the release and the waiter's wake-up
      // sees the slot as taken.
      if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
      else active += 1;
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next === undefined) active -= 1;
        else next();
      }
    },
    waiting: () => queue.length,
    active: () => active,
  };
}
