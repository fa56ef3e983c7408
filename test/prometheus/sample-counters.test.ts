/**
 * The per-unit sample counters Prometheus' uptime rules read, through the
 * daemon's own metric sources over a real in-memory history: they count what
 * /api/node/uptime counts, including the downtime before a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { daemonMetricsSources } from '../../src/metrics/daemon-sources.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { createLocalNode } from '../../src/node/local.js';
import type { CheckResult, StatusEntry } from '../../src/types.js';
import { createLogQueries } from '../../src/views/log-queries.js';
import { parseScrape } from '../metrics/prom-text.js';
import { testConfig } from '../helpers/config.js';

const I = 60_000;
const T0 = Date.parse('2026-11-28T00:00:00Z');

const config = testConfig({
  interval_minutes: 1, data_directory: '/nonexistent', node_id: 'n1', node_name: 'Node 1', peer_refresh_seconds: 60,
  monitor_dns: { enabled: false, target: '1.1.1.1:53', interval_seconds: 60, timeout_seconds: 4 },
  targets: [
    { id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false },
    { id: 'db', name: 'DB', service: 'postgresql.service', timeout_seconds: 15, use_sudo: false },
    { id: 'new', name: 'New', service: 'new.service', timeout_seconds: 15, use_sudo: false },
  ],
  peers: [], retention_days: 30,
});

const check = (id: string, ok: boolean): CheckResult => ({ id, name: id, ok, state: ok ? 'active' : 'failed', ...(ok ? {} : { error: 'failed' }) });
const sample = (at: number, checks: CheckResult[]): StatusEntry => ({ timestamp: new Date(at).toISOString(), checks });

/** A daemon's metrics over `log`, at the clock `now()`. */
function daemonMetrics(log: SampleLog, now: () => number) {
  const history = Object.assign(createLogQueries(log, new ConnectivityLog()), {
    pendingWrites: () => 0,
    lastWriteError: () => undefined,
    store: { droppedCount: 0 },
  });
  const local = createLocalNode({ config, history, now, version: 't' });
  const registry = createMetricsRegistry(daemonMetricsSources({
    config, version: 't', history, local, pool: { stats: () => ({ queued: 0, completed: 0, timeouts: 0, workerErrors: 0 }) }, peerStates: () => [],
  }), { now, processMetrics: false });
  return { history, scrape: async () => parseScrape(await registry.metrics()) };
}

test('counters start at zero and count samples, passing samples and the slots missed while the daemon was down', async () => {
  // Before the restart: web and db sampled at T0, T0+I, T0+2I; "new" is not configured yet.
  const log = SampleLog.fromEntries([0, 1, 2].map((k) => sample(T0 + k * I, [check('web', true), check('db', true)])));
  let now = T0 + 2 * I + 5_000;
  const m = daemonMetrics(log, () => now);
  const first = await m.scrape();
  for (const target of ['web', 'db', 'new']) {
    for (const name of ['samples', 'passing_samples', 'missed_samples']) {
      assert.equal(first.value(`jobmonitor_target_${name}_total`, { target }), 0, `${name} of ${target} before a new sample`);
    }
  }
  assert.equal(first.types.get('jobmonitor_target_samples_total'), 'counter');
  assert.equal(first.value('jobmonitor_sample_interval_seconds', { node: 'n1' }), 60);

  // Down from T0+2I to T0+6I: three slots were not sampled. db comes back failed; "new" is sampled for the first time.
  for (const k of [6, 7, 8]) log.append(sample(T0 + k * I, [check('web', true), check('db', k === 8), check('new', true)]));
  now = T0 + 8 * I + 5_000;
  const after = await m.scrape();
  const counts = (target: string) => ({
    samples: after.value('jobmonitor_target_samples_total', { target }),
    passing: after.value('jobmonitor_target_passing_samples_total', { target }),
    missed: after.value('jobmonitor_target_missed_samples_total', { target }),
  });
  assert.deepEqual(counts('web'), { samples: 3, passing: 3, missed: 3 });
  assert.deepEqual(counts('db'), { samples: 3, passing: 1, missed: 3 });
  assert.deepEqual(counts('new'), { samples: 3, passing: 3, missed: 0 }, 'a unit first sampled after the start is not charged before it');

  // The same figures as /api/node/uptime over the window that starts right after the restart's seed sample.
  const rows = m.history.uptime(config.targets, { start: T0 + 2 * I + 1, end: now }, I);
  for (const row of rows) {
    const c = counts(row.id);
    assert.equal(c.passing, row.passing, `${row.id} passing`);
    assert.equal(c.samples + c.missed, row.total_checks, `${row.id} samples + missed = total_checks`);
  }
});

test('a long time without a scrape is caught up in pages, every sample counted once', async () => {
  const log = SampleLog.fromEntries([sample(T0, [check('web', true)])]);
  let now = T0 + 1_000;
  const m = daemonMetrics(log, () => now);
  await m.scrape();
  // 1 200 samples (more than two pages), every third failing, with one skipped slot every 100.
  let at = T0;
  let expectedMissed = 0;
  for (let k = 1; k <= 1200; k++) {
    const skip = k % 100 === 0;
    at += skip ? 2 * I : I;
    if (skip) expectedMissed += 1;
    log.append(sample(at, [check('web', k % 3 !== 0), check('db', true)]));
  }
  now = at + 1_000;
  const s = await m.scrape();
  assert.equal(s.value('jobmonitor_target_samples_total', { target: 'web' }), 1200);
  assert.equal(s.value('jobmonitor_target_passing_samples_total', { target: 'web' }), 800);
  assert.equal(s.value('jobmonitor_target_missed_samples_total', { target: 'web' }), expectedMissed);
  assert.equal(s.value('jobmonitor_target_missed_samples_total', { target: 'db' }), 12);
  const again = await m.scrape();
  assert.equal(again.value('jobmonitor_target_samples_total', { target: 'web' }), 1200, 'a second scrape adds nothing');
});
