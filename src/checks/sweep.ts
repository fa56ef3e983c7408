import type { TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { CheckResult, ConnectivityStatus, StatusEntry } from '../types.js';

/** What a sweep needs from the pool: results in the order of `targets`, never a rejection. */
export interface TargetChecker {
  checkTargets(targets: TargetConfig[]): Promise<CheckResult[]>;
}

/** What a sweep needs from the history: a durable append that reports failure as a value. */
export interface StatusSink {
  appendStatus(entry: StatusEntry): Promise<{ ok: true } | { ok: false; error: string }>;
}

export interface SweepDeps {
  targets: readonly TargetConfig[];
  checker: TargetChecker;
  sink: StatusSink;
  log: Logger;
  now: () => number;
  /** The results of the last sample before this process started, for change logging. */
  previous?: readonly CheckResult[];
  /** Called with each finished sample (after it is stored, or failed to be). */
  onSample?: (entry: StatusEntry) => void;
  /** True once the daemon is stopping: a sweep cut short by the shutdown is not a sample. */
  stopping?: () => boolean;
}

/**
 * One sample = one StatusEntry with every target, stamped with the sweep's
 * start (as the original). Logs one line per state change, and a write
 * failure as an error line (the store keeps the sample buffered).
 */
export function createSweep(deps: SweepDeps): () => Promise<StatusEntry | undefined> {
  const last = new Map<string, string>();
  for (const c of deps.previous ?? []) last.set(c.id, describe(c));
  let lastWriteFailed = false;

  return async () => {
    const timestamp = new Date(deps.now()).toISOString();
    const checks = await deps.checker.checkTargets([...deps.targets]);
    // Closing the pool ends in-flight checks with "worker terminated": recording that would
    // show every unit down at each restart and open incidents for it.
    if (deps.stopping?.() === true) return undefined;
    const entry: StatusEntry = { timestamp, checks };
    logChanges(deps.log, checks, last);
    const w = await deps.sink.appendStatus(entry);
    if (!w.ok) {
      deps.log.error(`history write failed (sample kept in memory, retried on the next write): ${w.error}`);
      lastWriteFailed = true;
    } else if (lastWriteFailed) {
      deps.log.info('history write recovered');
      lastWriteFailed = false;
    }
    deps.onSample?.(entry);
    return entry;
  };
}

/** Units whose change is logged one line each; past this a sweep's changes are summarised by state. */
export const CHANGES_LOGGED_ONE_BY_ONE = 10;

/**
 * One line per unit whose state changed, or, when many changed at once (the
 * first sweep of 500 units, systemd going away), the first few and one line per
 * new state with how many units went there: the log stays readable.
 */
function logChanges(log: Logger, checks: readonly CheckResult[], last: Map<string, string>): void {
  const changed: string[] = [];
  const byState = new Map<string, number>();
  for (const c of checks) {
    const now = describe(c);
    const before = last.get(c.id);
    if (before === now) continue;
    last.set(c.id, now);
    changed.push(`${c.id} (${c.name}): ${before === undefined ? '' : `${before} -> `}${now}`);
    byState.set(now, (byState.get(now) ?? 0) + 1);
  }
  const shown = changed.length <= CHANGES_LOGGED_ONE_BY_ONE ? changed : changed.slice(0, 5);
  for (const line of shown) log.info(line);
  if (shown.length < changed.length) {
    const states = [...byState].map(([state, n]) => `${n} ${state}`).join(', ');
    log.info(`${changed.length} units changed state in this sweep (${changed.length - shown.length} more not listed): now ${states}`);
  }
}

function describe(c: CheckResult): string {
  const state = c.state ?? 'unknown';
  return c.ok || c.error === undefined || c.error === state ? state : `${state} (${c.error})`;
}

/** What a probe run needs. */
export interface ProbeDeps {
  probe: () => Promise<ConnectivityStatus>;
  sink: { appendConnectivity(s: ConnectivityStatus): Promise<{ ok: true } | { ok: false; error: string }> };
  log: Logger;
  stopping?: () => boolean;
}

/** One DNS probe sample, stored; logs when the probe goes down or comes back. */
export function createProbeRun(deps: ProbeDeps): () => Promise<ConnectivityStatus | undefined> {
  let wasOk: boolean | undefined;
  return async () => {
    const s = await deps.probe();
    if (deps.stopping?.() === true) return undefined; // cut short by the shutdown
    if (wasOk !== s.ok) {
      deps.log.info(s.ok ? `dns probe ${s.target}: online (${s.latency_ms} ms)` : `dns probe ${s.target}: offline (${s.error ?? 'unknown error'})`);
      wasOk = s.ok;
    }
    const w = await deps.sink.appendConnectivity(s);
    if (!w.ok) deps.log.error(`connectivity history write failed: ${w.error}`);
    return s;
  };
}
