/**
 * One daemon per data directory: a second one on the same directory refuses
 * to start and names the holder; a lock left by a killed daemon is taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN, startDaemonProcess, tempDir } from '../helpers/daemon.js';

const config = (dataDir: string) => ({
  interval_minutes: 5,
  data_directory: dataDir,
  node_id: 'lock-test',
  targets: [{ id: 'a', service: 'a.service' }],
});

test('a second daemon on the same data directory refuses to start, naming the holder', async () => {
  const dir = tempDir('jm-lock-');
  const data = join(dir, 'data');
  const first = await startDaemonProcess({ config: config(data) });
  try {
    const cfg = join(dir, 'second.yaml');
    writeFileSync(cfg, JSON.stringify(config(data)));
    const second = spawnSync(process.execPath, [MAIN, '-config', cfg, '-addr', '127.0.0.1:0'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(second.status, 1);
    assert.match(second.stderr, new RegExp(`data directory ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: in use by another JobMonitor \\(pid ${first.child.pid}\\)`));
    assert.doesNotMatch(second.stderr, /listening on/);
    // The first one is untouched and still serving.
    assert.equal((await first.get('/healthz')).status, 200);
  } finally {
    assert.equal((await first.stop()).code, 0);
  }
  assert.equal(existsSync(join(data, 'jobmonitor.lock')), false, 'a clean stop removes the lock');
});

test('a lock left by a killed daemon is taken over', async () => {
  const dir = tempDir('jm-lock-');
  const data = join(dir, 'data');
  const first = await startDaemonProcess({ config: config(data) });
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(existsSync(join(data, 'jobmonitor.lock')), true, 'SIGKILL leaves the lock behind');
  const second = await startDaemonProcess({ config: config(data), dir });
  try {
    assert.equal((await second.get('/healthz')).status, 200);
  } finally {
    assert.equal((await second.stop()).code, 0);
  }
});
