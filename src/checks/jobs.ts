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
  /** Directory prepended to nothing; the worker uses process.env.PATH as given to the daemon. */
}

export interface CheckBatchResult {
  /** One result per unit, in the order of `units`. */
  results: CheckResult[];
  /** Set when the batch as a whole failed (timeout, spawn error, unparsable output): the caller retries unit by unit. */
  batch_error?: string;
}

export interface DnsProbeJob {
  /** As configured: host, host:port, [v6] or [v6]:port. */
  target: string;
  timeout_ms: number;
}

export type DnsProbeResult = ConnectivityStatus;
