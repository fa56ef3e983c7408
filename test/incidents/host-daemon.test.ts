/**
 * The real daemon with 500 targets on a host where systemd cannot be reached
 * (a scripted systemctl on PATH that answers as on a machine not booted with
 * systemd), two receivers on 127.0.0.1: one incident, one notification each,
 * and when systemd answers again one resolve and every unit back to normal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { scriptedSystemctl } from './scripted-systemctl.js';
import { startReceiver } from '../notify/receiver.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** Validates a body against a component of the daemon's own OpenAPI document. */
async function documented(daemon: DaemonProcess, component: string, body: unknown): Promise<string | undefined> {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components']);
  ajv.addSchema((await daemon.get('/api/openapi.json')).body, 'openapi.json');
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${component}`)!;
  return validate(body) ? undefined : ajv.errorsText(validate.errors);
}

const TARGETS = 500;

test('systemd unreachable with 500 targets: one incident, one notification per receiver; it clears: one resolve, units back to normal', async () => {
  const { dir, bin, states } = scriptedSystemctl('jm-host-daemon-');
  writeFileSync(join(states, 'MODE'), 'nosystemd');

  const hook = await startReceiver();
  const phone = await startReceiver();
  const config = {
    interval_minutes: 0.02, // a sample every 1.2 s
    data_directory: 'data',
    node_id: 'itest',
    targets: Array.from({ length: TARGETS }, (_, i) => ({ id: `t${i}`, name: `Target ${i}`, service: `unit-${i}` })),
    notifications: [
      { id: 'hook', type: 'webhook', url: `${hook.url}/hook` },
      { id: 'phone', type: 'ntfy', url: phone.url, topic: 'ops' },
    ],
  };
  let daemon: DaemonProcess | undefined;
  const samples = async () => ((await daemon!.get('/api/node/history?range=24h')).body.history as unknown[]).length;
  try {
    daemon = await startDaemonProcess({ config, dir, pathPrepend: [bin], env: { FAKE_STATE_DIR: states } });
    const [opened] = await hook.requests(1);
    await eventually(async () => ((await samples()) >= 4 ? true : undefined), 30_000, 'four sweeps while systemd is unreachable');

    const during = (await daemon.get('/api/incidents')).body;
    assert.equal(during.open.length, 1, 'exactly one open incident');
    const [host] = during.open;
    assert.equal(host.kind, 'host');
    assert.equal(host.subject, 'no-systemd');
    assert.equal(host.units.length, TARGETS);
    assert.equal(await documented(daemon, 'IncidentList', during), undefined, 'the OpenAPI document describes a host incident');
    assert.equal(hook.received.length, 1, 'one notification to the webhook');
    assert.equal(phone.received.length, 1, 'one notification to ntfy');
    const body = JSON.parse(opened!.body);
    assert.equal(body.incident.id, host.id);
    assert.match(body.title, /^Host problem: systemd is not running \(not booted with systemd\): 500 units unchecked on itest$/);
    assert.match(String(phone.received[0]!.headers['title']), /500 units unchecked/);
    assert.equal(daemon.logs().split('\n').filter((l) => /WARN .*incident opened/.test(l)).length, 1);
    const metrics = (await daemon.get('/metrics')).text;
    assert.match(metrics, /jobmonitor_incidents_open\{node="itest",kind="host"\} 1/);
    assert.match(metrics, /jobmonitor_incidents_open\{node="itest",kind="unit"\} 0/);
    assert.match(metrics, /jobmonitor_host_incident_units\{node="itest",cause="no-systemd"\} 500/);

    rmSync(join(states, 'MODE'));
    const [, resolved] = await hook.requests(2);
    const final = await eventually(async () => {
      const b = (await daemon!.get('/api/incidents')).body;
      return b.open.length === 0 ? b : undefined;
    }, 30_000, 'the host incident to close');
    const n = await samples();
    await eventually(async () => ((await samples()) >= n + 2 ? true : undefined), 30_000, 'two more sweeps');
    assert.equal(JSON.parse(resolved!.body).event, 'resolve');
    assert.equal(JSON.parse(resolved!.body).incident.id, host.id);
    assert.deepEqual(final.resolved.map((i: { id: string }) => i.id), [host.id], 'no unit incident either way');
    assert.equal((await daemon.get('/api/incidents')).body.open.length, 0);
    assert.equal(hook.received.length, 2);
    assert.equal(phone.received.length, 2);
    const status = (await daemon.get('/api/node/status')).body.status;
    assert.equal(status.checks.filter((c: { ok: boolean }) => c.ok).length, TARGETS, 'every unit back to normal');
  } finally {
    await daemon?.stop();
    await hook.close();
    await phone.close();
  }
});
