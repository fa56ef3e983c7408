/**
 * What the Prometheus metrics are read from. Every member is a function over a
 * live object (history, pool, peer poller), called when Prometheus scrapes,
 * so the metrics never hold a copy that can drift from what the API shows.
 */
import type { SampleFeed } from './sample-counters.js';
import type { ConnectivityStatus, RangeName, ServiceUptime, StatusEntry } from '../types.js';
import type { IncidentMetricSources } from './incident-metrics.js';

/** One peer's sync state, as the peer poller keeps it. */
export interface PeerMetricState {
  id: string;
  name: string;
  /** The last refresh succeeded (the peer's data is fresh). */
  up: boolean;
  /** ms epoch of the last successful refresh; absent when it never succeeded. */
  lastSuccessAt?: number;
  consecutiveFailures: number;
}

/** The check pool's counters (CheckPool.stats()). */
export interface PoolMetricStats {
  queued: number;
  completed: number;
  timeouts: number;
  workerErrors: number;
}

export interface MetricsSources {
  /** This node; its id is the `node` label of every series. */
  node: { id: string; name: string };
  version: string;
  /** Configured targets, in config order. */
  targets: () => readonly { id: string; name: string; service: string }[];
  /** The newest sample, undefined before the first. */
  latestStatus: () => StatusEntry | undefined;
  /** Uptime rows per target over the window ending now. */
  uptime: (range: RangeName) => readonly ServiceUptime[];
  /** The DNS probe; absent when monitor_dns is disabled. */
  dns?: { target: string; latest: () => ConnectivityStatus | undefined };
  peers: () => readonly PeerMetricState[];
  history: {
    pendingWrites(): number;
    /** Lines given up because the retry buffer was full, since start. */
    droppedWrites(): number;
    lastWriteError(): string | undefined;
  };
  pool: () => PoolMetricStats;
  /** The samples themselves, for the per-unit sample counters (absent: no counters, no interval gauge). */
  samples?: SampleFeed;
  /** Open incidents and held-back notifications; absent = those metrics are not exported. */
  incidents?: IncidentMetricSources;
}
