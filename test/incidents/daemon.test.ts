/**
 * The real daemon (dist/src/main.js) with a scripted systemctl on PATH and a
 * webhook receiver on 127.0.0.1: an incident opens, is notified, survives a
 * restart, and closes (and is notified) at the first good sample after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { scriptedSystemctl } from './scripted-systemctl.js';
import { startReceiver } from '../notify/receiver.js';

test('an incident is stored, notified, kept open across a restart, and resolved by the first good sample', async () => {
  const { dir, bin, states } = scriptedSystemctl('jm-inc-daemon-');
  writeFileSync(join(states, 'flip.service'), 'failed');

  const rx = await startReceiver();
  const config = {
    interval_minutes: 0.02, // a sample every 1.2 s
    data_directory: 'data',
    node_id: 'itest',
    targets: [{ id: 'flip', name: 'Flip', service: 'flip' }],
    notifications: [{ id: 'hook', type: 'webhook', url: `${rx.url}/hook` }],
  };
  let daemon: DaemonProcess | undefined;
  try {
    daemon = await startDaemonProcess({ config, dir, pathPrepend: [bin], env: { FAKE_STATE_DIR: states } });
    const [opened] = await rx.requests(1);
    const openBody = JSON.parse(opened!.body);
    assert.equal(openBody.event, 'open');
    assert.equal(openBody.incident.subject, 'flip');
    assert.deepEqual(openBody.incident.states, ['failed']);
    const listed = (await daemon.get('/api/incidents?range=24h')).body;
    assert.deepEqual(listed.open.map((i: { id: string }) => i.id), [openBody.incident.id]);
    assert.equal((await daemon.get('/api/incidents?range=week')).status, 400);

    assert.deepEqual(await daemon.stop(), { code: 0, signal: null });
    writeFileSync(join(states, 'flip.service'), 'active'); // recovers while the daemon is down
    daemon = await startDaemonProcess({ config, dir, pathPrepend: [bin], env: { FAKE_STATE_DIR: states } });
    const afterRestart = (await daemon.get('/api/incidents')).body;
    assert.ok(
      afterRestart.open.some((i: { id: string }) => i.id === openBody.incident.id) || afterRestart.resolved.some((i: { id: string }) => i.id === openBody.incident.id),
      'the incident came back from disk',
    );

    const [, resolved] = await rx.requests(2);
    const resolveBody = JSON.parse(resolved!.body);
    assert.equal(resolveBody.event, 'resolve');
    assert.equal(resolveBody.incident.id, openBody.incident.id, 'the same incident, not a new one');
    const final = await eventually(async () => {
      const b = (await daemon!.get('/api/incidents')).body;
      return b.open.length === 0 ? b : undefined;
    }, 10_000, 'the incident to close');
    assert.deepEqual(final.resolved.map((i: { id: string; ended_at: string }) => [i.id, i.ended_at]), [[openBody.incident.id, resolveBody.incident.ended_at]]);
    assert.equal(rx.received.length, 2, 'no second "open" after the restart');
  } finally {
    await daemon?.stop();
    await rx.close();
  }
});
