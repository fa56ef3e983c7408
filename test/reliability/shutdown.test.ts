/**
 * A stop in the middle of a sweep: the checks it cuts short are not a sample.
 * Recording them would show every unit down at each restart and open incidents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemonProcess } from '../helpers/daemon.js';
import { fakeBin, readStatusSegments, scratch } from './support.js';

test('SIGTERM during a sweep records no sample and opens no incident for the cut-short checks', async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t);
  const d = await startDaemonProcess({
    dir,
    config: {
      interval_minutes: 5,
      data_directory: 'data',
      node_id: 'stopper',
      // hang*.service makes the fake systemctl sleep 30 s: the first sweep is still running at the stop.
      targets: [{ id: 'slow', service: 'hang-slow.service', timeout_seconds: 20 }],
    },
    pathPrepend: [bin.dir],
  });
  await new Promise((r) => setTimeout(r, 1_000));
  const stopped = await d.stop();
  assert.equal(stopped.code, 0, d.logs());
  const data = join(dir, 'data');
  assert.deepEqual(readStatusSegments(data).timestamps, [], 'no sample was written');
  const incidents = join(data, 'incidents.jsonl');
  const lines = existsSync(incidents) ? readFileSync(incidents, 'utf8').trim() : '';
  assert.equal(lines, '', 'no incident was recorded');
  assert.doesNotMatch(d.logs(), /incident opened|Terminating worker/);
});
