import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegister } from 'prom-client';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import type { MetricsSources, PeerMetricState, PoolMetricStats } from '../../src/metrics/sources.js';
import type { ConnectivityStatus, RangeName, ServiceUptime, StatusEntry } from '../../src/types.js';
import { parseScrape } from './prom-text.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const uptimeRow = (id: string, passing: number, total: number): ServiceUptime => ({
  id, name: id, uptime_percent: total === 0 ? 0 : Math.round((passing / total) * 10_000) / 100,
  total_checks: total, passing, failing: total - passing, missing_slots: 0,
});

/** A node in a known state, every part changeable between scrapes. */
function world() {
  const w = {
    targets: [
      { id: 'web', name: 'Web', service: 'web.service' },
      { id: 'db', name: 'DB', service: 'postgresql.service' },
      { id: 'new', name: 'New', service: 'new.service' },
    ],
    status: {
      timestamp: iso(NOW - 30_000),
      checks: [
        { id: 'web', name: 'Web', ok: true, state: 'active', sub_state: 'running', result: 'success', since: '2026-11-28T10:35:47.000Z', restarts: 0, duration_ms: 120 },
        { id: 'db', name: 'DB', ok: false, state: 'failed', error: 'failed', sub_state: 'failed', result: 'exit-code', restarts: 3, duration_ms: 120 },
      ],
    } as StatusEntry | undefined,
    uptime: {
      '24h': [uptimeRow('db', 90, 100), uptimeRow('new', 0, 0), uptimeRow('web', 100, 100)],
      '30d': [uptimeRow('db', 2997, 3000), uptimeRow('web', 3000, 3000)],
    } as Record<RangeName, ServiceUptime[]>,
    uptimeCalls: 0,
    probe: { target: '1.1.1.1:53', ok: true, latency_ms: 12, checked_at: iso(NOW - 10_000) } as ConnectivityStatus | undefined,
    peers: [
      { id: 'b', name: 'Node "B" \\ east', up: true, lastSuccessAt: NOW - 20_000, consecutiveFailures: 0 },
      { id: 'c', name: 'C', up: false, consecutiveFailures: 4 },
    ] as PeerMetricState[],
    pending: 2,
    dropped: 1,
    writeError: 'ENOSPC' as string | undefined,
    pool: { queued: 3, completed: 10, timeouts: 1, workerErrors: 2 } as PoolMetricStats,
    now: NOW,
  };
  const sources: MetricsSources = {
    node: { id: 'n1', name: 'Node 1' },
    version: '1.2.3',
    targets: () => w.targets,
    latestStatus: () => w.status,
    uptime: (range) => {
      w.uptimeCalls++;
      return w.uptime[range];
    },
    dns: { target: '1.1.1.1:53', latest: () => w.probe },
    peers: () => w.peers,
    history: { pendingWrites: () => w.pending, droppedWrites: () => w.dropped, lastWriteError: () => w.writeError },
    pool: () => w.pool,
  };
  return { w, sources };
}

async function scrape(registry: { metrics(): Promise<string> }) {
  return parseScrape(await registry.metrics());
}

test('a scrape parses and holds the known state of targets, probe, peers, history and pool', async () => {
  const { sources } = world();
  const s = await scrape(createMetricsRegistry(sources, { now: () => NOW }));
  const web = { node: 'n1', target: 'web', service: 'web.service' };
  const db = { node: 'n1', target: 'db', service: 'postgresql.service' };

  assert.equal(s.value('jobmonitor_target_up', web), 1);
  assert.equal(s.value('jobmonitor_target_up', db), 0);
  assert.deepEqual(s.find('jobmonitor_target_up', { target: 'new' }), [], 'a target never checked has no up series');

  assert.equal(s.value('jobmonitor_target_state', { ...db, state: 'failed' }), 1);
  assert.equal(s.value('jobmonitor_target_state', { ...db, state: 'active' }), 0);
  assert.equal(s.value('jobmonitor_target_state', { ...web, state: 'active' }), 1);
  assert.equal(s.find('jobmonitor_target_state', web).reduce((a, x) => a + x.value, 0), 1, 'exactly one state is 1');

  assert.equal(s.value('jobmonitor_check_duration_seconds', web), 0.12);
  assert.equal(s.value('jobmonitor_target_restarts', db), 3);
  assert.equal(s.value('jobmonitor_target_state_since_timestamp_seconds', web), Date.parse('2026-11-28T10:35:47Z') / 1000);
  assert.equal(s.value('jobmonitor_last_sample_timestamp_seconds'), (NOW - 30_000) / 1000);

  assert.equal(s.value('jobmonitor_target_uptime_ratio', { ...db, window: '24h' }), 0.9);
  assert.equal(s.value('jobmonitor_target_uptime_ratio', { ...db, window: '30d' }), 0.999);
  assert.equal(s.value('jobmonitor_target_uptime_ratio', { ...web, window: '30d' }), 1);
  assert.deepEqual(s.find('jobmonitor_target_uptime_ratio', { target: 'new' }), [], 'no samples, no ratio (not 0)');

  assert.equal(s.value('jobmonitor_dns_probe_up', { node: 'n1', target: '1.1.1.1:53' }), 1);
  assert.equal(s.value('jobmonitor_dns_probe_latency_seconds'), 0.012);

  assert.equal(s.value('jobmonitor_peer_up', { peer: 'b' }), 1);
  assert.equal(s.value('jobmonitor_peer_up', { peer: 'c' }), 0);
  assert.equal(s.value('jobmonitor_peer_last_success_timestamp_seconds', { peer: 'b' }), (NOW - 20_000) / 1000);
  assert.deepEqual(s.find('jobmonitor_peer_last_success_timestamp_seconds', { peer: 'c' }), []);
  assert.equal(s.value('jobmonitor_peer_consecutive_failures', { peer: 'c' }), 4);
  assert.equal(s.find('jobmonitor_peer_up', { peer: 'b' })[0]?.labels['peer_name'], 'Node "B" \\ east', 'label values are escaped and round-trip');

  assert.equal(s.value('jobmonitor_history_pending_writes'), 2);
  assert.equal(s.value('jobmonitor_history_write_error'), 1);
  assert.equal(s.value('jobmonitor_history_dropped_writes_total'), 1);
  assert.equal(s.value('jobmonitor_pool_queue_depth'), 3);
  assert.equal(s.value('jobmonitor_pool_jobs_completed_total'), 10);
  assert.equal(s.value('jobmonitor_pool_timeouts_total'), 1);
  assert.equal(s.value('jobmonitor_pool_worker_errors_total'), 2);
  assert.equal(s.types.get('jobmonitor_pool_timeouts_total'), 'counter');
  assert.equal(s.types.get('jobmonitor_target_up'), 'gauge');

  assert.equal(s.value('jobmonitor_info', { node: 'n1', node_name: 'Node 1', version: '1.2.3' }), 1);
  assert.ok(s.find('process_cpu_user_seconds_total').length === 1, 'process metrics');
  assert.ok(s.find('nodejs_heap_size_used_bytes').length === 1, 'runtime metrics');
});

test('values are read at each scrape: a change shows, a removed target or peer disappears', async () => {
  const { w, sources } = world();
  const registry = createMetricsRegistry(sources, { now: () => w.now, processMetrics: false });
  await scrape(registry);
  w.status = { timestamp: iso(NOW), checks: [{ id: 'web', name: 'Web', ok: false, state: 'activating', error: 'activating', duration_ms: 40 }] };
  w.targets = w.targets.filter((t) => t.id !== 'db');
  w.peers = w.peers.slice(1);
  w.probe = { target: '1.1.1.1:53', ok: false, latency_ms: 0, error: 'timeout', checked_at: iso(NOW) };
  w.writeError = undefined;
  w.pending = 0;
  w.pool = { ...w.pool, timeouts: 5 };
  const s = await scrape(registry);
  assert.equal(s.value('jobmonitor_target_up', { target: 'web' }), 0);
  assert.equal(s.value('jobmonitor_target_state', { target: 'web', state: 'activating' }), 1);
  assert.equal(s.value('jobmonitor_check_duration_seconds', { target: 'web' }), 0.04);
  assert.deepEqual(s.find('jobmonitor_target_state', { target: 'db' }), []);
  assert.deepEqual(s.find('jobmonitor_target_uptime_ratio', { target: 'db' }), []);
  assert.deepEqual(s.find('jobmonitor_peer_up').map((x) => x.labels['peer']), ['c']);
  assert.equal(s.value('jobmonitor_dns_probe_up'), 0);
  assert.deepEqual(s.find('jobmonitor_dns_probe_latency_seconds'), [], 'no latency for a failed probe');
  assert.equal(s.value('jobmonitor_history_write_error'), 0);
  assert.equal(s.value('jobmonitor_pool_timeouts_total'), 5);
  assert.deepEqual(s.find('process_cpu_user_seconds_total'), [], 'process metrics can be left out');
});

test('a state outside systemd\'s usual list gets its own series; before the first sample there are no target series', async () => {
  const { w, sources } = world();
  const registry = createMetricsRegistry(sources, { processMetrics: false });
  w.status = { timestamp: iso(NOW), checks: [{ id: 'web', name: 'Web', ok: false, state: 'exploded', error: 'exploded' }] };
  const s = await scrape(registry);
  assert.equal(s.value('jobmonitor_target_state', { target: 'web', state: 'exploded' }), 1);
  assert.equal(s.value('jobmonitor_target_state', { target: 'web', state: 'failed' }), 0);
  w.status = undefined;
  const empty = await scrape(registry);
  assert.deepEqual(empty.find('jobmonitor_target_up'), []);
  assert.deepEqual(empty.find('jobmonitor_last_sample_timestamp_seconds'), []);
});

test('uptime ratios are reused for a minute, not recomputed per scrape', async () => {
  const { w, sources } = world();
  const registry = createMetricsRegistry(sources, { now: () => w.now, processMetrics: false });
  await scrape(registry);
  await scrape(registry);
  assert.equal(w.uptimeCalls, 2, 'one per range');
  w.uptime['24h'] = [uptimeRow('web', 50, 100)];
  w.now += 61_000;
  const s = await scrape(registry);
  assert.equal(w.uptimeCalls, 4);
  assert.equal(s.value('jobmonitor_target_uptime_ratio', { target: 'web', window: '24h' }), 0.5);
});

test('each daemon has its own registry; the library\'s global one stays empty', async () => {
  const a = world();
  const b = world();
  const rb = createMetricsRegistry({ ...b.sources, node: { id: 'n2', name: 'Node 2' } }, { processMetrics: false });
  const ra = createMetricsRegistry(a.sources, { processMetrics: true });
  const sa = await scrape(ra);
  const sb = await scrape(rb);
  assert.deepEqual([...new Set(sa.find('jobmonitor_target_up').map((x) => x.labels['node']))], ['n1']);
  assert.deepEqual([...new Set(sb.find('jobmonitor_target_up').map((x) => x.labels['node']))], ['n2']);
  assert.deepEqual(globalRegister.getMetricsAsArray(), []);
});

test('without the DNS probe there are no probe series', async () => {
  const { sources } = world();
  const { dns: _dns, ...rest } = sources;
  const s = await scrape(createMetricsRegistry(rest, { processMetrics: false }));
  assert.deepEqual(s.find('jobmonitor_dns_probe_up'), []);
});
