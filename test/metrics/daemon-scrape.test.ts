/**
 * The real daemon process with the fake systemctl and journalctl on PATH, over
 * HTTP on 127.0.0.1: /metrics reports the units' states, /api/node/status
 * shows a failed unit's details and journal lines, and those lines are kept
 * out of the history (API and disk).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';
import { parseScrape } from './prom-text.js';

const FAKE_JOURNALCTL = fileURLToPath(new URL('../../../test/fixtures/fake-journalctl', import.meta.url));
const KEY = 'scrape-key';
const auth = { Authorization: `Bearer ${KEY}` };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('a running daemon: metrics and unit details', { concurrency: false, timeout: 60_000 }, () => {
  let bin: FakeBin;
  let daemon: DaemonProcess;
  const dir = tempDir('jm-metrics-');

  before(async () => {
    bin = await makeFakeBin();
    symlinkSync(FAKE_JOURNALCTL, join(bin.dir, 'journalctl'));
    daemon = await startDaemonProcess({
      dir,
      pathPrepend: [bin.dir],
      config: {
        interval_minutes: 0.05,
        data_directory: 'data',
        node_id: 'scrape-node',
        api_key: KEY,
        journal_lines: 3,
        targets: [
          { id: 'web', name: 'Web', service: 'ok-web' },
          { id: 'db', name: 'DB', service: 'bad-db.service' },
          { id: 'idle', name: 'Idle', service: 'idle.service' },
        ],
      },
    });
    await eventually(async () => (await daemon.get('/api/node/status', auth)).body?.status, 20_000, 'first sample');
  });
  after(async () => {
    await daemon?.stop();
    await bin?.cleanup();
  });

  test('/metrics reports each unit as the API does', async () => {
    const r = await daemon.get('/metrics', auth);
    assert.equal(r.status, 200);
    const m = parseScrape(r.text);
    assert.equal(m.value('jobmonitor_target_up', { node: 'scrape-node', target: 'web', service: 'ok-web.service' }), 1);
    assert.equal(m.value('jobmonitor_target_up', { target: 'db' }), 0);
    assert.equal(m.value('jobmonitor_target_state', { target: 'db', state: 'failed' }), 1);
    assert.equal(m.value('jobmonitor_target_state', { target: 'idle', state: 'inactive' }), 1);
    assert.equal(m.value('jobmonitor_target_restarts', { target: 'db' }), 3);
    assert.ok(m.value('jobmonitor_check_duration_seconds', { target: 'web' }) >= 0);
    assert.ok(m.value('jobmonitor_pool_jobs_completed_total') >= 1);
    assert.equal(m.value('jobmonitor_pool_timeouts_total'), 0);
    assert.equal(m.value('jobmonitor_history_write_error'), 0);
    assert.ok(m.find('process_resident_memory_bytes').length === 1);
    assert.equal((await daemon.get('/metrics')).status, 401, 'the key is needed');
  });

  test('/api/node/status shows a failed unit\'s details and last journal lines', async () => {
    const body = (await daemon.get('/api/node/status', auth)).body as { status: { checks: Record<string, unknown>[] } };
    const db = body.status.checks.find((c) => c['id'] === 'db')!;
    assert.equal(db['sub_state'], 'failed');
    assert.equal(db['result'], 'exit-code');
    assert.equal(db['since'], '2026-11-28T10:36:02.000Z');
    assert.equal(db['restarts'], 3);
    assert.deepEqual(db['journal'], [
      '2026-11-28T10:36:00+0000 host bad-db[41]: <b>bad</b> value & "quote"',
      '2026-11-28T10:36:01+0000 host bad-db[41]: fatal: cannot bind',
      "2026-11-28T10:36:02+0000 host systemd[1]: bad-db.service: Failed with result 'exit-code'.",
    ]);
    const web = body.status.checks.find((c) => c['id'] === 'web')!;
    assert.equal(web['journal'], undefined, 'an active unit has no journal');
  });

  test('journal lines are not stored: only beside the newest sample, not in history nor on disk', async () => {
    await eventually(async () => ((await daemon.get('/api/node/history', auth)).body?.history?.length ?? 0) >= 2, 20_000, 'two samples');
    const history = await daemon.get('/api/node/history', auth);
    assert.doesNotMatch(history.text, /journal|cannot bind/);
    // The dashboard shows them: the cluster view's latest sample of this node carries them, nothing else there does.
    const cluster = (await daemon.get('/api/cluster', auth)).body as { nodes: Array<{ status?: { checks: Record<string, unknown>[] } }> };
    const [local, ...others] = cluster.nodes;
    assert.match(String(local?.status?.checks.find((c) => c['id'] === 'db')?.['journal']), /cannot bind/);
    assert.doesNotMatch(JSON.stringify([{ ...local, status: undefined }, ...others]), /journal|cannot bind/);
    const files = filesUnder(join(dir, 'data'));
    assert.ok(files.length > 0);
    for (const f of files) assert.doesNotMatch(readFileSync(f, 'latin1'), /cannot bind/, f);
  });

  test('badges and the OpenAPI document are served by the daemon', async () => {
    const badge = await daemon.get('/api/badge/db/status.svg', auth);
    assert.equal(badge.status, 200);
    assert.match(badge.text, />failed<\/text>/);
    const doc = await daemon.get('/api/openapi.json', auth);
    assert.equal(doc.body?.openapi, '3.1.0');
  });
});
