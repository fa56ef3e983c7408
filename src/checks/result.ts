/**
 * Pure result constructors shared by the check workers and the pool wrapper.
 */
import type { CheckResult, ConnectivityStatus } from '../types.js';

/**
 * The result for a unit whose state could not be read: state "unknown", never
 * "inactive", because we do not know that it is. `error` says why.
 */
export function unknownResult(unit: { id: string; name: string }, error: string, durationMs?: number): CheckResult {
  const out: CheckResult = { id: unit.id, name: unit.name, ok: false, state: 'unknown', error };
  if (durationMs !== undefined) out.duration_ms = durationMs;
  return out;
}

/** A failed connectivity sample: latency 0 with the reason. */
export function failedProbe(target: string, error: string, checkedAt: string): ConnectivityStatus {
  return { target, ok: false, latency_ms: 0, error, checked_at: checkedAt };
}

/** A duration for messages: "15s", "0.5s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
