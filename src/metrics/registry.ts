/**
 * The daemon's Prometheus metrics: one prom-client Registry per daemon (never
 * the library's global one), every value read from the live objects when
 * Prometheus scrapes, so nothing is updated on the check path.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { prom } from './prom.js';
import type { RangeName, ServiceUptime, StatusEntry } from '../types.js';
import { registerSampleMetrics } from './sample-metrics.js';
import type { MetricsSources } from './sources.js';
import { registerIncidentMetrics } from './incident-metrics.js';

/**
 * systemd's ActiveState values (plus our "unknown"), each exported as a series
 * of jobmonitor_target_state so a query can tell "not failed" (0) from
 * "never seen" (absent). A state outside this list is added when current.
 */
export const UNIT_STATES = ['active', 'reloading', 'inactive', 'failed', 'activating', 'deactivating', 'maintenance', 'refreshing', 'unknown'] as const;

export interface MetricsRegistryOptions {
  /** Add the process and Node.js runtime metrics (process_*, nodejs_*). Default true. */
  processMetrics?: boolean;
  /** How long an uptime ratio is reused before it is recomputed (ms). Default 60 000. */
  uptimeCacheMs?: number;
  /**
   * The newest sample when the daemon started: the per-unit sample counters
   * count from it. Default: the newest sample now. The daemon passes the one of
   * its start, since it builds the registry at the first scrape.
   */
  seed?: StatusEntry | undefined;
  now?: () => number;
}

type Labels = Record<string, string | number>;
type Emit = (labels: Labels, value: number) => void;

/** What each group of metrics registers with: the registry, the node label and the two kinds of metric. */
interface Kit {
  registry: Registry;
  node: string;
  /** A gauge whose series are filled per scrape by `fill`. */
  gauge(name: string, help: string, labelNames: readonly string[], fill: (emit: Emit) => void): void;
  /** A counter kept by someone else (pool, store): exported as its current total. */
  counter(name: string, help: string, read: () => number): void;
}

/**
 * Builds the registry. Values are computed per scrape in each metric's
 * collect callback; series of targets or peers that are gone disappear.
 */
export function createMetricsRegistry(src: MetricsSources, opts: MetricsRegistryOptions = {}): Registry {
  const kit = metricKit(new prom.Registry(), src.node.id);
  const uptimeOf = cachedUptime(src.uptime, opts.uptimeCacheMs ?? 60_000, opts.now ?? Date.now);
  registerNodeMetrics(kit, src);
  registerTargetMetrics(kit, src, uptimeOf);
  if (src.samples !== undefined) {
    registerSampleMetrics({ registry: kit.registry, node: kit.node, targets: src.targets, feed: src.samples, seed: 'seed' in opts ? opts.seed : src.latestStatus() });
  }
  registerDnsMetrics(kit, src);
  registerPeerMetrics(kit, src);
  registerHistoryAndPoolMetrics(kit, src);
  if (src.incidents !== undefined) registerIncidentMetrics(kit.registry, kit.node, src.incidents);
  if (opts.processMetrics ?? true) prom.collectDefaultMetrics({ register: kit.registry });
  return kit.registry;
}

function metricKit(registry: Registry, node: string): Kit {
  return {
    registry,
    node,
    gauge(name, help, labelNames, fill) {
      new prom.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect(this: Gauge) {
          this.reset();
          fill((labels, value) => this.set(labels, value));
        },
      });
    },
    counter(name, help, read) {
      new prom.Counter({
        name,
        help,
        labelNames: ['node'],
        registers: [registry],
        collect(this: Counter) {
          this.reset();
          this.inc({ node }, Math.max(0, read()));
        },
      });
    },
  };
}

function registerNodeMetrics({ gauge, node }: Kit, src: MetricsSources): void {
  gauge('jobmonitor_info', 'Always 1; the node and version as labels.', ['node', 'node_name', 'version'], (emit) => {
    emit({ node, node_name: src.node.name, version: src.version }, 1);
  });
  gauge('jobmonitor_last_sample_timestamp_seconds', 'When the newest sample was taken (Unix time); absent before the first.', ['node'], (emit) => {
    const t = Date.parse(src.latestStatus()?.timestamp ?? '');
    if (Number.isFinite(t)) emit({ node }, t / 1000);
  });
}

const T = ['node', 'target', 'service'] as const;

function registerTargetMetrics({ gauge, node }: Kit, src: MetricsSources, uptimeOf: (range: RangeName) => readonly ServiceUptime[]): void {
  /** The latest check of each configured target, with its labels. */
  const latestChecks = () => {
    const checks = new Map((src.latestStatus()?.checks ?? []).map((c) => [c.id, c] as const));
    return src.targets().map((t) => ({ labels: { node, target: t.id, service: t.service }, check: checks.get(t.id) }));
  };
  gauge('jobmonitor_target_up', '1 when the unit was active at the newest sample, else 0; absent before its first check.', T, (emit) => {
    for (const { labels, check } of latestChecks()) if (check !== undefined) emit(labels, check.ok ? 1 : 0);
  });
  gauge('jobmonitor_target_state', "1 for the unit's ActiveState at the newest sample, 0 for the other states.", [...T, 'state'], (emit) => {
    for (const { labels, check } of latestChecks()) {
      if (check === undefined) continue;
      const current = check.state === undefined || check.state === '' ? 'unknown' : check.state;
      for (const state of UNIT_STATES) emit({ ...labels, state }, state === current ? 1 : 0);
      if (!(UNIT_STATES as readonly string[]).includes(current)) emit({ ...labels, state: current }, 1);
    }
  });
  gauge('jobmonitor_check_duration_seconds', 'How long the last check of the unit took (units checked in one batch share one systemctl call).', T, (emit) => {
    for (const { labels, check } of latestChecks()) if (check?.duration_ms !== undefined) emit(labels, check.duration_ms / 1000);
  });
  gauge('jobmonitor_target_restarts', "systemd's NRestarts of the unit at the newest sample.", T, (emit) => {
    for (const { labels, check } of latestChecks()) if (check?.restarts !== undefined) emit(labels, check.restarts);
  });
  gauge('jobmonitor_target_state_since_timestamp_seconds', 'When the unit entered its current ActiveState (Unix time), as systemd reports it.', T, (emit) => {
    for (const { labels, check } of latestChecks()) {
      const t = Date.parse(check?.since ?? '');
      if (Number.isFinite(t)) emit(labels, t / 1000);
    }
  });
  gauge('jobmonitor_target_uptime_ratio', 'Share of passing samples over the window (0..1), missing samples counted as failing, as /api/node/uptime; absent without samples.', [...T, 'window'], (emit) => {
    const targets = src.targets();
    for (const window of ['24h', '30d'] as const) {
      const rows = new Map(uptimeOf(window).map((r) => [r.id, r] as const));
      for (const t of targets) {
        const row = rows.get(t.id);
        if (row !== undefined && row.total_checks > 0) emit({ node, target: t.id, service: t.service, window }, row.passing / row.total_checks);
      }
    }
  });
}

function registerDnsMetrics({ gauge, node }: Kit, src: MetricsSources): void {
  const D = ['node', 'target'] as const;
  gauge('jobmonitor_dns_probe_up', '1 when the last DNS probe connected, else 0; absent when the probe is off or has not run.', D, (emit) => {
    const last = src.dns?.latest();
    if (src.dns !== undefined && last !== undefined) emit({ node, target: src.dns.target }, last.ok ? 1 : 0);
  });
  gauge('jobmonitor_dns_probe_latency_seconds', 'TCP connect time of the last DNS probe; absent when it failed.', D, (emit) => {
    const last = src.dns?.latest();
    if (src.dns !== undefined && last?.ok === true) emit({ node, target: src.dns.target }, last.latency_ms / 1000);
  });
  gauge('jobmonitor_dns_probe_last_timestamp_seconds', 'When the last DNS probe ran (Unix time).', D, (emit) => {
    const t = Date.parse(src.dns?.latest()?.checked_at ?? '');
    if (src.dns !== undefined && Number.isFinite(t)) emit({ node, target: src.dns.target }, t / 1000);
  });
}

function registerPeerMetrics({ gauge, node }: Kit, src: MetricsSources): void {
  const P = ['node', 'peer', 'peer_name'] as const;
  gauge('jobmonitor_peer_up', "1 when the last refresh of the peer's data succeeded, else 0.", P, (emit) => {
    for (const p of src.peers()) emit({ node, peer: p.id, peer_name: p.name }, p.up ? 1 : 0);
  });
  gauge('jobmonitor_peer_last_success_timestamp_seconds', "When the peer's data was last refreshed successfully (Unix time); absent if never.", P, (emit) => {
    for (const p of src.peers()) if (p.lastSuccessAt !== undefined) emit({ node, peer: p.id, peer_name: p.name }, p.lastSuccessAt / 1000);
  });
  gauge('jobmonitor_peer_consecutive_failures', 'Refreshes of the peer that failed in a row (0 after a success).', P, (emit) => {
    for (const p of src.peers()) emit({ node, peer: p.id, peer_name: p.name }, p.consecutiveFailures);
  });
}

function registerHistoryAndPoolMetrics({ gauge, counter, node }: Kit, src: MetricsSources): void {
  gauge('jobmonitor_history_pending_writes', 'History lines kept in memory because writing them to disk failed; retried on the next write.', ['node'], (emit) => {
    emit({ node }, src.history.pendingWrites());
  });
  gauge('jobmonitor_history_write_error', '1 while the last history write failed and has not been recovered from, else 0.', ['node'], (emit) => {
    emit({ node }, src.history.lastWriteError() === undefined ? 0 : 1);
  });
  counter('jobmonitor_history_dropped_writes_total', 'History lines given up because the retry buffer was full.', () => src.history.droppedWrites());

  gauge('jobmonitor_pool_queue_depth', 'Check jobs waiting for a free worker.', ['node'], (emit) => {
    emit({ node }, src.pool().queued);
  });
  counter('jobmonitor_pool_jobs_completed_total', 'Check jobs a worker answered.', () => src.pool().completed);
  counter('jobmonitor_pool_timeouts_total', 'Check jobs that hit their deadline.', () => src.pool().timeouts);
  counter('jobmonitor_pool_worker_errors_total', 'Check jobs a worker failed to answer, and worker errors outside any job.', () => src.pool().workerErrors);
}

/** Uptime per range, recomputed at most every `ttlMs`: a 30-day scan per scrape is wasted work. */
function cachedUptime(read: (range: RangeName) => readonly ServiceUptime[], ttlMs: number, now: () => number) {
  const cache = new Map<RangeName, { at: number; rows: readonly ServiceUptime[] }>();
  return (range: RangeName): readonly ServiceUptime[] => {
    const t = now();
    const hit = cache.get(range);
    if (hit !== undefined && t - hit.at < ttlMs && t >= hit.at) return hit.rows;
    const rows = read(range);
    cache.set(range, { at: t, rows });
    return rows;
  };
}
