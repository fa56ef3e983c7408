/**
 * How many check threads a configuration can use. Pure.
 */

/** Fewest threads: a batch that failed is retried one unit per thread, and a wave of one would take a single hung unit for a hung systemd. */
const MIN_THREADS = 2;
/** Most threads: jobs mostly wait on child processes; more would only queue on a small box's cores. */
const MAX_THREADS = 6;

/**
 * Threads for `targets` units in batches of `batchSize`, plus one for the DNS
 * probe when it runs: as many as jobs can run at once in a sweep, between 2
 * and 6. Threads are started when jobs come and retired when idle, so this is
 * a ceiling, not what a daemon holds at rest.
 */
export function poolThreadsFor(targets: number, dnsProbe: boolean, batchSize = 50): number {
  const jobs = Math.ceil(Math.max(0, targets) / batchSize) + (dnsProbe ? 1 : 0);
  return Math.min(MAX_THREADS, Math.max(MIN_THREADS, jobs));
}
