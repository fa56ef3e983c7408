/**
 * Job shapes passed between the main thread and the check workers
 * (workers/). Types only, plus pure helpers: safe for both sides.
 */
import type { CheckResult, ConnectivityStatus } from '../types.js';

/** One unit to check. `service` is already validated and normalised. */
export interface UnitJob {
  id: string;
  name: string;
  service: string;
  use_sudo: boolean;
}

/**
 * A batch of units sharing sudo and timeout, checked by one `systemctl show`
 * call in one pool job. A batch of one is the per-unit check.
 */
export interface CheckBatchJob {
  units: UnitJob[];
  use_sudo: boolean;
  timeout_ms: number;
  /** journal_lines: when > 0, units that are not ok also get their last N journal lines (within timeout_ms). */
  journal_lines?: number;
}

export interface CheckBatchResult {
  /** One result per unit, in the order of `units`. */
  results: CheckResult[];
  /** Set when the batch as a whole failed (timeout, spawn error, unparsable output); every result is then "unknown" with this error. */
  batch_error?: string;
  /**
   * Why the batch failed, set with `batch_error`:
   * - "host": the same for every unit on this host (systemctl or sudo missing, no systemd, no bus, sudo wants a password); retrying unit by unit cannot help.
   * - "timeout": the call passed its deadline; one hung unit may be to blame, so the caller retries unit by unit.
   * - "output": systemctl failed or printed something we could not read; the caller retries unit by unit.
   */
  batch_error_kind?: BatchErrorKind;
  /** The Id systemd showed each unit under (an alias shows its target's), in the order of `units`; absent on a batch error. */
  ids?: (string | undefined)[];
}

export type BatchErrorKind = 'host' | 'timeout' | 'output';

/** Units whose state one `systemctl list-units` call reads; names without glob characters. */
export interface ListStatesJob {
  services: string[];
  use_sudo: boolean;
  timeout_ms: number;
}

/** One row of `systemctl list-units`: LoadState, ActiveState, SubState. */
export interface UnitState {
  load: string;
  active: string;
  sub: string;
}

/**
 * One state per service of the job, in order, or null when systemd listed none
 * (not loaded, or an alias); or why the call failed.
 */
export type ListStatesResult = { states: (UnitState | null)[]; duration_ms: number } | { error: string; kind: BatchErrorKind };

export interface DnsProbeJob {
  /** As configured: host, host:port, [v6] or [v6]:port. */
  target: string;
  timeout_ms: number;
}

export type DnsProbeResult = ConnectivityStatus;
