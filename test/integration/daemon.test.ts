/**
 * The real daemon process against a real systemd (PID 1 of private namespaces),
 * over real HTTP on 127.0.0.1: states, wire shapes, history across a restart,
 * and a hung systemctl giving timeouts while the API keeps answering.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunSandbox, gateSandbox, readFixtureUnits, startSandbox, type Sandbox } from '../helpers/sandbox.js';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';

const UNITS = ['jm-ok.service', 'jm-failed.service', 'jm-inactive.service', 'jm-activating.service', 'jm-restarting.service'];

const config = (hangTimeout = 2) => ({
  interval_minutes: 0.05, // a sample every 3 s
  data_directory: 'data',
  node_id: 'itest',
  node_name: 'Integration <b>node</b>',
  targets: [
    { id: 'ok', name: 'OK unit', service: 'jm-ok', timeout_seconds: hangTimeout, url: 'https://example.invalid/ok' },
    { id: 'failed', name: 'Failed unit', service: 'jm-failed.service', timeout_seconds: hangTimeout },
    { id: 'inactive', name: 'Inactive unit', service: 'jm-inactive.service', timeout_seconds: hangTimeout },
    { id: 'activating', name: 'Stuck starting', service: 'jm-activating.service', timeout_seconds: hangTimeout },
    { id: 'missing', name: 'No such unit', service: 'jm-does-not-exist.service', timeout_seconds: hangTimeout },
  ],
});

type Check = { id: string; ok: boolean; state?: string; error?: string; sub_state?: string; restarts?: number; uptime_percent?: number };
const byId = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('daemon against a real systemd', { concurrency: false }, () => {
  let sandbox: Sandbox | undefined;
  let daemon: DaemonProcess | undefined;
  const dir = tempDir('jm-itest-');
  const skip = !canRunSandbox().ok;

  before(async () => {
    if (skip) return;
    sandbox = await startSandbox({ units: await readFixtureUnits(UNITS), boot: ['jm-ok.service', 'jm-failed.service'] });
    await sandbox.systemctl('start', '--no-block', 'jm-activating.service');
    await sandbox.waitForState('jm-activating.service', 'activating');
    await sandbox.waitForState('jm-failed.service', 'failed');
  });
  after(async () => {
    await daemon?.stop();
    await sandbox?.stop();
  });

  test('reports each unit state as systemctl is-active does', async (t) => {
    if (!gateSandbox(t)) return;
    daemon = await startDaemonProcess({ config: config(), dir, pathPrepend: [sandbox!.binDir] });
    const status = await eventually(async () => {
      const r = await daemon!.get('/api/node/status');
      return r.body?.status ? r.body : undefined;
    }, 20_000, 'first sample');
    const c = byId(status.status.checks);
    assert.deepEqual(
      Object.fromEntries(Object.values(c).map((x) => [x.id, [x.ok, x.state, x.error]])),
      {
        ok: [true, 'active', undefined],
        failed: [false, 'failed', 'failed'],
        inactive: [false, 'inactive', 'inactive'],
        activating: [false, 'activating', 'activating'],
        missing: [false, 'inactive', 'inactive'],
      },
    );
    // What systemd knows beyond the state travels beside the original's fields.
    assert.equal(c['ok']!.sub_state, 'running');
    assert.equal(c['failed']!.sub_state, 'failed');
    assert.equal(typeof c['ok']!.restarts, 'number');
    // The log says how many services were loaded and the node id, then one line per state.
    assert.match(daemon.logs(), /Loaded 5 target\(s\) from .*; node itest/);
    assert.match(daemon.logs(), /failed \(Failed unit\): failed/);
  });

  test('speaks the original wire format on every node route', async (t) => {
    if (!gateSandbox(t)) return;
    const d = daemon!;
    const status = (await d.get('/api/node/status')).body;
    assert.deepEqual(Object.keys(status), ['node', 'status', 'targets', 'generated_at']);
    assert.deepEqual(status.node.id, 'itest');
    assert.equal(status.node.interval_minutes, 1, 'original peers need an integer interval');
    assert.deepEqual(status.targets[0], {
      id: 'ok', name: 'OK unit', service: 'jm-ok.service', url: 'https://example.invalid/ok', timeout_seconds: 2, use_sudo: false,
    });
    assert.equal(status.targets[1].url, undefined, 'url is omitted when not configured');

    const hist = (await d.get('/api/node/history?range=24h&limit=1')).body;
    for (const k of ['node', 'history', 'connectivity_timeline', 'generated_at', 'range', 'range_start', 'range_end', 'targets']) {
      assert.ok(k in hist, `history has ${k}`);
    }
    assert.equal(hist.history.length, 1);
    assert.equal(hist.connectivity_timeline.length, 80);
    assert.equal(Date.parse(hist.range_end) - Date.parse(hist.range_start), 24 * 3600 * 1000);

    const bogus = (await d.get('/api/node/history?range=bogus')).body;
    assert.equal(bogus.range, '24h', 'an unknown range falls back to 24h, as the original');
    const month = (await d.get('/api/node/uptime?range=30days')).body;
    assert.equal(month.range, '30d');
    const svc = byId(month.services);
    assert.deepEqual(Object.keys(month.services[0]).slice(0, 7), ['id', 'name', 'uptime_percent', 'total_checks', 'passing', 'failing', 'missing_slots']);
    assert.equal(svc['ok']!.uptime_percent, 100, 'a unit watched since start is not charged for the time before it');
    assert.equal(svc['failed']!.uptime_percent, 0);

    const legacy = (await d.get('/api/status')).body;
    assert.deepEqual(Object.keys(legacy), ['timestamp', 'checks']);
    assert.ok(Array.isArray((await d.get('/api/history')).body));
    assert.ok(Array.isArray((await d.get('/api/uptime')).body));

    const cluster = (await d.get('/api/cluster?range=24h')).body;
    assert.equal(cluster.nodes.length, 1);
    assert.equal(cluster.nodes[0].source, 'local');
    assert.equal(cluster.nodes[0].service_timelines.length, 5);
    assert.ok(cluster.nodes[0].service_timelines.every((s: { timeline: unknown[] }) => s.timeline.length === 80));

    const health = await d.get('/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');

    const notFound = await d.get('/api/nope');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.body.error.code, 'not_found');
    const post = await fetch(`${d.url}/api/node/status`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  test('a hung systemctl gives timeout results while the API keeps answering', async (t) => {
    if (!gateSandbox(t)) return;
    const d = daemon!;
    const before = (await d.get('/api/node/history?range=24h')).body.history.length;
    await sandbox!.freeze();
    try {
      // While PID 1 is stopped every check hangs; the server must still answer at once.
      for (let i = 0; i < 10; i++) {
        const r = await fetch(`${d.url}/api/node/status`, { signal: AbortSignal.timeout(2_000) });
        assert.equal(r.status, 200);
        await new Promise((res) => setTimeout(res, 300));
      }
      const hung = await eventually(async () => {
        const h = (await d.get('/api/node/history?range=24h')).body.history as { checks: Check[] }[];
        const last = h.at(-1);
        return h.length > before && last!.checks.every((c) => c.state === 'unknown') ? last : undefined;
      }, 30_000, 'a sample taken while systemd is frozen');
      for (const c of hung.checks) {
        assert.equal(c.ok, false);
        assert.match(c.error ?? '', /timed out after 2s/);
      }
    } finally {
      await sandbox!.thaw();
    }
    await eventually(async () => {
      const s = (await d.get('/api/node/status')).body.status;
      return byId(s.checks)['ok']!.state === 'active' ? s : undefined;
    }, 30_000, 'recovery after thaw');
  });

  test('history is on disk and survives a restart', async (t) => {
    if (!gateSandbox(t)) return;
    const before = (await daemon!.get('/api/node/history?range=30d')).body.history as { timestamp: string }[];
    const stopped = await daemon!.stop();
    assert.equal(stopped.code, 0, `SIGTERM exits 0:\n${daemon!.logs()}`);
    const files = readdirSync(join(dir, 'data'));
    assert.ok(files.some((f) => /^status-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f)), `daily segments in ${files}`);
    const lines = readFileSync(join(dir, 'data', files.find((f) => f.startsWith('status-'))!), 'utf8').trim().split('\n');
    assert.equal(lines.length, before.length, 'every sample served was on disk');
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), ['timestamp', 'checks']);

    daemon = await startDaemonProcess({ config: config(), dir, pathPrepend: [sandbox!.binDir] });
    const after = (await daemon.get('/api/node/history?range=30d')).body.history as { timestamp: string }[];
    assert.deepEqual(after.slice(0, before.length).map((e) => e.timestamp), before.map((e) => e.timestamp));
    // The status before the first new sample is the last one from before the restart.
    const status = (await daemon.get('/api/node/status')).body.status;
    assert.ok(status, 'the latest sample is served right after a restart');
  });
});

test('on a host without systemd every unit says so', async (t) => {
  const pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
  if (pid1 === 'systemd') return t.skip('this host runs systemd as PID 1; the no-systemd path cannot be observed here');
  const d = await startDaemonProcess({
    config: { interval_minutes: 5, data_directory: 'data', targets: [{ id: 'ssh', service: 'ssh' }, { id: 'cron', service: 'cron' }] },
  });
  try {
    const status = await eventually(async () => (await d.get('/api/node/status')).body?.status, 15_000, 'first sample');
    for (const c of status.checks as Check[]) {
      assert.equal(c.state, 'unknown');
      assert.equal(c.ok, false);
      assert.match(c.error ?? '', /not been booted with systemd|systemctl not found/);
    }
  } finally {
    assert.equal((await d.stop()).code, 0);
  }
});
