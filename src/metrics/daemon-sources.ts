/**
 * The metrics' sources over the daemon's live objects: the history, the local
 * node, the check pool and the peers' sync state.
 */
import type { Config } from '../config/types.js';
import type { HistoryQueries } from '../views/history-queries.js';
import type { LocalNode } from '../node/local.js';
import type { MetricsSources, PeerMetricState, PoolMetricStats } from './sources.js';
import type { IncidentMetricSources } from './incident-metrics.js';

export interface DaemonMetricsDeps {
  config: Pick<Config, 'node_id' | 'node_name' | 'targets' | 'monitor_dns'>;
  version: string;
  history: Pick<HistoryQueries, 'latestStatus' | 'latestConnectivity' | 'uptime' | 'statusPage' | 'statusEntries'> & {
    pendingWrites(): number;
    lastWriteError(): string | undefined;
    /** The file store's counter of lines given up. */
    readonly store: { readonly droppedCount: number };
  };
  local: Pick<LocalNode, 'window' | 'intervalMs'>;
  pool: { stats(): PoolMetricStats };
  peerStates: () => readonly PeerMetricState[];
  /** Open incidents and held-back notifications (absent: not exported). */
  incidents?: IncidentMetricSources;
}

export function daemonMetricsSources(deps: DaemonMetricsDeps): MetricsSources {
  const { config, history, local } = deps;
  return {
    node: { id: config.node_id, name: config.node_name },
    version: deps.version,
    targets: () => config.targets,
    latestStatus: () => history.latestStatus(),
    uptime: (range) => history.uptime(config.targets, local.window(range), local.intervalMs()),
    ...(config.monitor_dns.enabled ? { dns: { target: config.monitor_dns.target, latest: () => history.latestConnectivity() } } : {}),
    peers: deps.peerStates,
    history: {
      pendingWrites: () => history.pendingWrites(),
      droppedWrites: () => history.store.droppedCount,
      lastWriteError: () => history.lastWriteError(),
    },
    pool: () => deps.pool.stats(),
    samples: {
      samplesAfter: (afterMs, limit) => {
        const range = { start: Math.max(0, Math.floor(afterMs) + 1), end: Number.MAX_SAFE_INTEGER };
        return history.statusEntries({ start: range.start, end: history.statusPage(range, limit).end });
      },
      intervalMs: () => local.intervalMs(),
    },
    ...(deps.incidents !== undefined ? { incidents: deps.incidents } : {}),
  };
}
