/**
 * The real Debian prometheus against two real daemons of ours watching a real
 * systemd (the sandbox), all on 127.0.0.1. Prometheus finds both daemons
 * through node A's /api/prometheus/targets (node B is A's peer), scrapes them
 * with the api key, loads the shipped rules (group intervals 1 s and the
 * unit-down `for:` 3 s in a test copy, expressions untouched) and is asked
 * over its HTTP API whether its view matches the daemons' own API, whether
 * the unit-down alert fires and resolves, and whether every expression of the
 * Grafana dashboard evaluates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { canRunSandbox, readFixtureUnits, startSandbox, type Sandbox } from '../helpers/sandbox.js';
import { freePort } from '../helpers/browser.js';
import { eventually, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { dashboardQueries } from './dashboard-queries.js';
import { startPrometheus, type PromSample, type PrometheusServer } from './prometheus-server.js';
import { DASHBOARD, gate, missingTool, RULES } from './tools.js';

const KEY = 'prom-test-key';
const AUTH = { Authorization: `Bearer ${KEY}` };
const FLAKY = 'jm-flaky.service';
/** A unit the test kills (SIGKILL: failed) and starts again. */
const FLAKY_UNIT = '[Unit]\nDescription=JobMonitor test: killed and restarted by the Prometheus test\n\n[Service]\nExecStart=/bin/sleep infinity\n';

const targets = [
  { id: 'ok', name: 'OK unit', service: 'jm-ok.service' },
  { id: 'failed', name: 'Failed unit', service: 'jm-failed.service' },
  { id: 'flaky', name: 'Flaky unit', service: FLAKY },
];

const INTERVAL_MS = 1_500;

function daemonConfig(id: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    interval_minutes: INTERVAL_MS / 60_000, data_directory: 'data', node_id: id, node_name: name, api_key: KEY,
    // Longer than systemd stays frozen below, so the first checks wait for it instead of timing out.
    targets: targets.map((t) => ({ ...t, timeout_seconds: 30 })),
    ...extra,
  };
}

/** The shipped rules with test-speed timing only: every group evaluated each second, unit-down after 3 s. */
function testRules(): string {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: { interval?: string; rules: { alert?: string; for?: string }[] }[] };
  for (const g of doc.groups) {
    g.interval = '1s';
    for (const r of g.rules) if (r.alert === 'JobMonitorUnitDown') r.for = '3s';
  }
  return stringify(doc);
}

/** label value -> sample value, keys sorted so two maps compare as JSON. */
const byLabel = (samples: PromSample[], label: string): Record<string, number> =>
  sortedKeys(Object.fromEntries(samples.map((s) => [s.metric[label]!, Number(s.value[1])])));
function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

describe('a real Prometheus scraping two real daemons through our service discovery', { concurrency: false }, () => {
  const reasons = () => {
    const sb = canRunSandbox();
    return [sb.ok ? undefined : `needs root to boot systemd in a namespace: ${sb.reason}`, missingTool('prometheus')];
  };
  const runnable = reasons().every((r) => r === undefined);
  let sandbox: Sandbox | undefined;
  let a: DaemonProcess | undefined;
  let b: DaemonProcess | undefined;
  let prom: PrometheusServer | undefined;
  const nodes = () => [{ id: 'prom-a', d: a! }, { id: 'prom-b', d: b! }];

  before(async () => {
    if (!runnable) return;
    sandbox = await startSandbox({
      units: { ...(await readFixtureUnits(['jm-ok.service', 'jm-failed.service'])), [FLAKY]: FLAKY_UNIT },
      boot: ['jm-ok.service', 'jm-failed.service', FLAKY],
    });
    await sandbox.waitForState('jm-failed.service', 'failed');
    // increase() cannot know what a counter counted before Prometheus' first scrape (which comes seconds after
    // discovery), while the API counts every sample since the daemon started. So systemd is frozen (systemctl
    // hangs) until Prometheus scrapes both daemons: their first sample is stored after that, and both sides
    // count the same samples.
    await sandbox.freeze();
    const [portA, portB] = [await freePort(), await freePort()];
    prom = await startPrometheus({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ['rules.yml'],
      scrape_configs: [{
        job_name: 'jobmonitor',
        authorization: { type: 'Bearer', credentials: KEY },
        http_sd_configs: [{
          url: `http://127.0.0.1:${portA}/api/prometheus/targets`,
          refresh_interval: '1s',
          authorization: { type: 'Bearer', credentials: KEY },
        }],
      }],
    }, { 'rules.yml': testRules() });
    // A first (it lists B), then B at once: Prometheus scrapes each from its first seconds.
    a = await startDaemonProcess({
      config: daemonConfig('prom-a', 'Node A', {
        // The probe connects to node B's port: a TCP answer on 127.0.0.1, no outside network.
        monitor_dns: { enabled: true, target: `127.0.0.1:${portB}`, interval_seconds: 1, timeout_seconds: 1 },
        peer_refresh_seconds: 1,
        peers: [{ id: 'prom-b', name: 'Node B', base_url: `http://127.0.0.1:${portB}`, api_key: KEY }],
      }),
      pathPrepend: [sandbox.binDir],
      hooks: { minPeerRefreshSeconds: 1 },
      port: portA,
    });
    b = await startDaemonProcess({ config: daemonConfig('prom-b', 'Node B'), pathPrepend: [sandbox.binDir], port: portB });
    const lastStarted = Date.now();
    await eventually(async () => {
      const ts = await prom!.targets();
      return ts.length === 2 && ts.every((x) => x.health === 'up');
    }, 20_000, 'both daemons scraped').catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus log:\n${prom!.logs()}`);
    });
    // Frozen for four intervals at least, so each daemon's first sweep certainly blocks a few sampling slots.
    await new Promise((r) => setTimeout(r, Math.max(0, lastStarted + 4 * INTERVAL_MS - Date.now())));
    await sandbox.thaw();
  });

  after(async () => {
    await prom?.stop();
    await sandbox?.thaw().catch(() => undefined); // in case before() failed while systemd was frozen
    await Promise.all([a?.stop(), b?.stop()]);
    await sandbox?.stop();
  });

  test('finds this node and its peer through /api/prometheus/targets and scrapes both with the key', async (t) => {
    if (!gate(t, reasons())) return;
    const found = await prom!.targets();
    assert.equal(found.length, 2);
    assert.ok(found.every((x) => x.health === 'up'), JSON.stringify(found));
    const labels = Object.fromEntries(found.map((x) => [x.labels['jobmonitor_node']!, x]));
    assert.equal(labels['prom-a']?.labels['jobmonitor_source'], 'local');
    assert.equal(labels['prom-a']?.labels['jobmonitor_node_name'], 'Node A');
    assert.equal(labels['prom-a']?.scrapeUrl, `${a!.url}/metrics`);
    assert.equal(labels['prom-b']?.labels['jobmonitor_source'], 'peer');
    assert.equal(labels['prom-b']?.scrapeUrl, `${b!.url}/metrics`);
  });

  test('jobmonitor_target_up and _state match each daemon\'s /api/node/status for every unit', async (t) => {
    if (!gate(t, reasons())) return;
    for (const { id, d } of nodes()) {
      // Both sides read the newest sample; they agree once Prometheus has scraped it.
      await eventually(async () => {
        const status = (await d.get('/api/node/status', AUTH)).body as { status?: { checks: { id: string; ok: boolean; state?: string }[] } };
        if (status.status === undefined) return false;
        const want = sortedKeys(Object.fromEntries(status.status.checks.map((c) => [c.id, c.ok ? 1 : 0])));
        const wantState = sortedKeys(Object.fromEntries(status.status.checks.map((c) => [c.id, c.state])));
        const up = byLabel(await prom!.query(`jobmonitor_target_up{node="${id}"}`), 'target');
        const states = await prom!.query(`jobmonitor_target_state{node="${id}"} == 1`);
        const state = sortedKeys(Object.fromEntries(states.map((s) => [s.metric['target']!, s.metric['state']])));
        return JSON.stringify(up) === JSON.stringify(want) && JSON.stringify(state) === JSON.stringify(wantState);
      }, 15_000, `Prometheus and /api/node/status of ${id} to agree`);
      const up = byLabel(await prom!.query(`jobmonitor_target_up{node="${id}"}`), 'target');
      assert.deepEqual(up, { ok: 1, failed: 0, flaky: 1 }, `${id}: as systemd has them`);
    }
  });

  test('the unit-down alert fires for a unit systemd reports failed, and resolves once it is active again', async (t) => {
    if (!gate(t, reasons())) return;
    const unitAlerts = async (target: string) =>
      (await prom!.alerts()).filter((x) => x.labels['alertname'] === 'JobMonitorUnitDown' && x.labels['target'] === target);
    const firingOn = async (target: string) => (await unitAlerts(target)).filter((x) => x.state === 'firing').map((x) => x.labels['node']).sort();

    await eventually(async () => (await firingOn('failed')).length === 2, 20_000, 'the alert for jm-failed on both nodes');
    assert.deepEqual(await unitAlerts('flaky'), [], 'no alert while the unit is active');

    await sandbox!.systemctl('kill', '--signal=SIGKILL', FLAKY);
    assert.equal(await sandbox!.waitForState(FLAKY, 'failed'), 'failed');
    const fired = await eventually(async () => {
      const nodesFiring = await firingOn('flaky');
      return nodesFiring.length === 2 ? nodesFiring : undefined;
    }, 20_000, 'JobMonitorUnitDown firing for the killed unit');
    assert.deepEqual(fired, ['prom-a', 'prom-b']);
    const alert = (await unitAlerts('flaky'))[0]!;
    assert.equal(alert.labels['service'], FLAKY);
    assert.equal(alert.labels['severity'], 'critical');

    await sandbox!.systemctl('start', FLAKY);
    assert.equal(await sandbox!.waitForState(FLAKY, 'active'), 'active');
    await eventually(async () => (await unitAlerts('flaky')).length === 0, 20_000, 'the alert for the restarted unit to resolve');
    assert.deepEqual(await firingOn('failed'), ['prom-a', 'prom-b'], 'the unit that is still failed keeps its alert');
  });

  test('the uptime recording rules agree with /api/node/uptime within one and a half samples', async (t) => {
    if (!gate(t, reasons())) return;
    for (const { id, d } of nodes()) {
      for (const range of ['24h', '30d'] as const) {
        const rule = `jobmonitor:target_uptime:ratio_${range}{node="${id}"}`;
        await eventually(async () => (await prom!.query(rule)).length === 3, 10_000, `${rule} for the three units`);
        const api = (await d.get(`/api/node/uptime?range=${range}`, AUTH)).body as { services: { id: string; passing: number; total_checks: number; missing_slots: number }[] };
        const unit = byLabel(await prom!.query(rule), 'target');
        // Prometheus lags the API by up to a scrape and an evaluation (about a sample), and increase() extrapolates a little.
        for (const row of api.services) {
          const want = row.passing / row.total_checks;
          const tolerance = 1.5 / row.total_checks;
          assert.ok(Math.abs(unit[row.id]! - want) <= tolerance, `${id} ${range} ${row.id}: Prometheus ${unit[row.id]}, API ${row.passing}/${row.total_checks}`);
        }
        // The first sweep hung while systemd was frozen: the slots it blocked count as failing on both sides.
        const ok = api.services.find((s) => s.id === 'ok')!;
        assert.ok(ok.missing_slots > 0 && ok.passing < ok.total_checks, `${id}: the API charged the frozen slots (${JSON.stringify(ok)})`);
        assert.ok(unit['ok']! < 1, `${id}: so did Prometheus (${unit['ok']})`);
        assert.equal(unit['failed'], 0, 'a unit always failed is exactly 0');
        const flaky = api.services.find((s) => s.id === 'flaky')!;
        assert.ok(flaky.passing < flaky.total_checks && unit['flaky']! < 1, 'the killed unit lost uptime on both sides');

        const total = api.services.reduce((n, s) => n + s.total_checks, 0);
        const passing = api.services.reduce((n, s) => n + s.passing, 0);
        const [nodeRatio] = await prom!.query(`jobmonitor:node_uptime:ratio_${range}{node="${id}"}`);
        assert.ok(nodeRatio !== undefined, `node uptime of ${id}`);
        const tolerance = (1.5 * api.services.length) / total;
        assert.ok(Math.abs(Number(nodeRatio.value[1]) - passing / total) <= tolerance, `${id} ${range} node: Prometheus ${nodeRatio.value[1]}, API ${passing}/${total}`);
      }
    }
  });

  test('every PromQL expression of the Grafana dashboard evaluates, and finds data', async (t) => {
    if (!gate(t, reasons())) return;
    const queries = dashboardQueries(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
    assert.ok(queries.length >= 20, `found the dashboard's queries (${queries.length})`);
    const problems: string[] = [];
    for (const q of queries) {
      try {
        const result = await prom!.query(q.expr);
        if (result.length === 0) problems.push(`${q.where}: no data for ${q.expr}`);
        else if (q.label !== undefined && !result.some((s) => s.metric[q.label!] !== undefined)) problems.push(`${q.where}: no "${q.label}" label in ${q.expr}`);
      } catch (err) {
        problems.push(`${q.where}: ${String(err)}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
