/**
 * How many check threads a configuration can use. Pure.
 */

/** Fewest threads: a batch that failed is retried one unit per thread, and a wave of one would take a single hung unit for a hung systemd. */
const MIN_THREADS = 2;
/**
 * Most threads. Jobs mostly wait on child processes, and every `systemctl`
 * call is answered by one process (PID 1), so more threads hardly shorten a
 * sweep, while each costs ~7 MB of RSS for as long as it lives (from a sweep
 * until 15 s after it). Measured with 500 units (fake systemctl, 10 batches):
 * a sweep took the same ~45 ms on 2 or 3 threads as on 6, with 20-35 MB less
 * RSS and half the CPU (fewer threads to start); docs/memory.md.
 */
const MAX_THREADS = 3;

/**
 * Threads for `targets` units in batches of `batchSize`, plus one for the DNS
 * probe when it runs: as many as jobs can run at once in a sweep, between 2
 * and 3. Threads are started when jobs come and retired when idle, so this is
 * a ceiling, not what a daemon holds at rest.
 */
export function poolThreadsFor(targets: number, dnsProbe: boolean, batchSize = 50): number {
  const jobs = Math.ceil(Math.max(0, targets) / batchSize) + (dnsProbe ? 1 : 0);
  return Math.min(MAX_THREADS, Math.max(MIN_THREADS, jobs));
}
