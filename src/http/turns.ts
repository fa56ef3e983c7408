/**
 * Work shared out over turns of the event loop. Streamed answers (a month of
 * history is about 1.7 GB of JSON) make their next chunk only when the
 * socket takes it, but a socket on loopback takes megabytes before it
 * pushes back: twenty clients asking at once, even if none of them reads,
 * would otherwise have twenty chunks made in each turn, and every other
 * request (a /healthz probe) waits behind them. Here every stream's next
 * chunk is one job in one queue: each turn runs jobs in arrival order for at
 * most a time budget, and the rest wait for the next turn, after the
 * loop has taken in other requests.
 */
export interface Turns {
  /** Runs `job` (which must not throw) on a later turn of the event loop, after the jobs queued before it. */
  later(job: () => void): void;
}

/** Time spent on queued jobs per turn, at most (one job may overrun it). */
export const TURN_BUDGET_MS = 4;

/** A queue whose jobs run at most `budgetMs` per turn of the event loop. */
export function createTurns(budgetMs = TURN_BUDGET_MS): Turns {
  let queue: (() => void)[] = [];
  let scheduled = false;
  const run = (): void => {
    scheduled = false;
    const until = performance.now() + budgetMs;
    // Jobs queued while this turn runs (a stream asking for its next chunk) wait for the next turn.
    const now = queue;
    queue = [];
    let i = 0;
    while (i < now.length) {
      now[i++]!();
      if (performance.now() >= until) break;
    }
    if (i < now.length) queue = now.slice(i).concat(queue);
    if (queue.length > 0) schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };
  return {
    later(job) {
      queue.push(job);
      schedule();
    },
  };
}
