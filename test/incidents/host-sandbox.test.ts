/**
 * A real systemd (the sandbox), a real daemon, a webhook receiver on
 * 127.0.0.1: 20 real units failing together go out as one grouped message;
 * then systemd itself stops answering (PID 1 frozen): one host incident, not
 * 20 more alerts; it thaws: one resolve, and the units' own incidents carry on.
 * Needs root to boot systemd in a namespace (skipped with the reason otherwise, never in CI).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';
import { canRunSandbox, gateSandbox, startSandbox, type Sandbox } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../notify/receiver.js';

const UNITS = Array.from({ length: 20 }, (_, i) => `jm-grp-${String(i + 1).padStart(2, '0')}.service`);
const UNIT_FILE = '[Unit]\nDescription=JobMonitor test: one of 20 failing together\n\n[Service]\nExecStart=/bin/sleep infinity\n';

let sandbox: Sandbox | undefined;
let daemon: DaemonProcess | undefined;
let hook: Receiver | undefined;

before(async () => {
  if (!canRunSandbox().ok) return;
  sandbox = await startSandbox({ units: Object.fromEntries(UNITS.map((u) => [u, UNIT_FILE])), boot: UNITS });
  hook = await startReceiver();
  daemon = await startDaemonProcess({
    config: {
      interval_minutes: 0.03, // a sample every 1.8 s
      data_directory: 'data',
      node_id: 'sbx',
      targets: UNITS.map((u) => ({ id: u.replace('.service', ''), name: u, service: u, timeout_seconds: 2 })),
      notifications: [{ id: 'hook', type: 'webhook', url: `${hook.url}/hook` }],
    },
    dir: tempDir('jm-host-sbx-'),
    pathPrepend: [sandbox.binDir],
  });
});

after(async () => {
  await daemon?.stop();
  await sandbox?.thaw().catch(() => undefined);
  await sandbox?.stop();
  await hook?.close();
});

interface Check { id: string; ok: boolean; state?: string }
const latest = async (): Promise<{ timestamp: string; checks: Check[] } | undefined> => (await daemon!.get('/api/node/status')).body.status;
const samples = async () => ((await daemon!.get('/api/node/history?range=24h')).body.history as unknown[]).length;

test('20 real units failing together: one grouped notification listing them; systemd frozen: one host incident; thawed: one resolve', async (t) => {
  if (!gateSandbox(t)) return;
  const d = daemon!;
  const rx = hook!;
  await eventually(async () => {
    const s = await latest();
    return s !== undefined && s.checks.length === 20 && s.checks.every((c) => c.state === 'active') ? s : undefined;
  }, 30_000, 'a sample with all 20 units active');

  // The daemon is paused while the units die, so no sample catches half of them.
  process.kill(d.child.pid!, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, 300)); // a systemctl already started finishes on its own
    const kill = await sandbox!.systemctl('kill', '--signal=SIGKILL', ...UNITS);
    assert.equal(kill.code, 0, kill.stderr);
    await eventually(async () => {
      const r = await sandbox!.systemctl('is-active', ...UNITS);
      return r.stdout.trim().split('\n').every((s) => s === 'failed') ? true : undefined;
    }, 15_000, 'every unit failed');
  } finally {
    process.kill(d.child.pid!, 'SIGCONT');
  }

  const [grouped] = await rx.requests(1);
  const body = JSON.parse(grouped!.body);
  assert.equal(body.event, 'open');
  assert.equal(body.title, '20 units failing on sbx');
  assert.deepEqual(body.incidents.map((i: { subject: string }) => `${i.subject}.service`).sort(), UNITS);
  for (const u of UNITS) assert.ok(body.message.includes(u), `${u} is listed in the message`);
  const unitIds = ((await d.get('/api/incidents')).body.open as Array<{ id: string }>).map((i) => i.id).sort();
  assert.equal(unitIds.length, 20);

  await sandbox!.freeze();
  let hostOpen: { subject: string; units: unknown[]; id: string };
  try {
    const [, opened] = await rx.requests(2);
    hostOpen = JSON.parse(opened!.body).incident;
    assert.equal(hostOpen.subject, 'systemd-not-answering');
    assert.equal(hostOpen.units.length, 20);
    const n = await samples();
    await eventually(async () => ((await samples()) >= n + 1 ? true : undefined), 30_000, 'another frozen sweep');
    assert.equal(rx.received.length, 2, 'no alert per unit while systemd is frozen');
  } finally {
    await sandbox!.thaw();
  }

  const [, , resolved] = await rx.requests(3);
  const r = JSON.parse(resolved!.body);
  assert.equal(r.event, 'resolve');
  assert.equal(r.incident.id, hostOpen.id);
  const n = await samples();
  await eventually(async () => ((await samples()) >= n + 2 ? true : undefined), 30_000, 'two sweeps after the thaw');
  const open = ((await d.get('/api/incidents')).body.open as Array<{ id: string; kind: string }>);
  assert.deepEqual(open.map((i) => i.id).sort(), unitIds, "the units' own incidents, still open, the same ones");
  assert.equal(rx.received.length, 3, 'nothing else was sent');
});
