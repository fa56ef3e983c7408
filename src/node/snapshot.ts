import type { ConnectivityStatus, NodeInfo, PeerSnapshot, StatusEntry, Target } from '../types.js';
import type { HistoryQueries, TimeWindow } from '../views/history-queries.js';

/** Connectivity lists are capped like the original's. */
export const CONNECTIVITY_CAP = 5000;

export interface SnapshotInput {
  node: NodeInfo;
  history: HistoryQueries;
  /** The services that get an uptime row and a timeline even without samples (ids seen in the window are added). */
  services: readonly { id: string; name: string }[];
  /** Shown as `targets`; omitted when undefined. */
  targets?: Target[];
  /** Expected time between samples, for missing slots in uptime. */
  intervalMs: number;
  /** The latest sample; history's latest when absent. */
  status?: StatusEntry;
  /** The latest probe; history's latest when absent. */
  connectivity?: ConnectivityStatus;
  updatedAt: number;
  source: 'local' | 'peer';
  /**
   * The history is known to be complete only up to this time (a peer's last
   * good refresh): uptime counts missing slots up to it, not up to the window's
   * end, so the lag between refreshes is not shown as downtime.
   */
  completeUntil?: number;
}

/**
 * One node's PeerSnapshot over `window`, in the original's shape: the local
 * node's and every peer's are built here, so they cannot drift apart.
 */
export function buildSnapshot(input: SnapshotInput, window: TimeWindow): PeerSnapshot {
  const { history } = input;
  const status = input.status ?? history.latestStatus();
  const connectivity = input.connectivity ?? history.latestConnectivity();
  const connHistory = history.connectivity(window, CONNECTIVITY_CAP);
  const uptimeWindow = input.completeUntil !== undefined && input.completeUntil < window.end
    ? { start: window.start, end: Math.max(window.start, input.completeUntil) }
    : window;
  return {
    node: input.node,
    ...(status !== undefined ? { status } : {}),
    ...(connectivity !== undefined ? { connectivity } : {}),
    ...(connHistory.length > 0 ? { connectivity_history: connHistory } : {}),
    connectivity_timeline: history.connectivityTimeline(window),
    service_timelines: history.serviceTimelines(input.services, window),
    services: history.uptime(input.services, uptimeWindow, input.intervalMs),
    ...(input.targets !== undefined ? { targets: input.targets } : {}),
    updated_at: new Date(input.updatedAt).toISOString(),
    source: input.source,
  };
}
