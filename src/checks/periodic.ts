/**
 * Runs a task now and then every `intervalMs`, never overlapping itself:
 * the next run starts at the previous start + interval, or right after the
 * previous run when that took longer (missed ticks are skipped, not queued).
 */
export interface Periodic {
  start(): void;
  /** Stops scheduling and resolves when the run in flight (if any) has finished. */
  stop(): Promise<void>;
  /** True while a run is in flight. */
  readonly busy: boolean;
}

export interface PeriodicOptions {
  intervalMs: number;
  run: () => Promise<void>;
  onError: (err: unknown) => void;
  now?: () => number;
  /** Delay before the first run (default 0: at start). */
  initialDelayMs?: number;
}

export function createPeriodic(opts: PeriodicOptions): Periodic {
  const now = opts.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, delay));
    timer.unref?.();
  };

  function tick(): void {
    timer = undefined;
    if (stopped) return;
    const startedAt = now();
    inFlight = (async () => {
      try {
        await opts.run();
      } catch (err) {
        opts.onError(err);
      }
    })();
    void inFlight.then(() => {
      inFlight = undefined;
      const elapsed = now() - startedAt;
      // A clock that jumped backwards gives a negative elapsed time: wait one interval.
      schedule(elapsed < 0 ? opts.intervalMs : opts.intervalMs - elapsed);
    });
  }

  return {
    start() {
      if (timer !== undefined || inFlight !== undefined) return;
      stopped = false;
      schedule(opts.initialDelayMs ?? 0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (inFlight !== undefined) await inFlight;
    },
    get busy() {
      return inFlight !== undefined;
    },
  };
}
