import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openHistory } from '../../src/history/open.js';
import type { Logger } from '../../src/log.js';
import type { StatusEntry } from '../../src/types.js';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');
const MIN = 60_000;

function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`INFO ${m}`), warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`) };
}

const entry = (t: number, ok: boolean): StatusEntry => ({
  timestamp: new Date(t).toISOString(),
  checks: [{ id: 'web', name: 'Web', ok, state: ok ? 'active' : 'failed', ...(ok ? {} : { error: 'failed' }) }],
});

test('openHistory: stores samples, answers the API queries from memory, logs what it repaired', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'jm-open-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = captureLog();
  const opened = await openHistory({ dir, retentionDays: 30, now: () => T0 + 10 * MIN, log });
  assert.ok(opened.ok);
  const h = opened.value;
  for (let k = 0; k < 10; k++) assert.deepEqual(await h.appendStatus(entry(T0 + k * MIN, k !== 4)), { ok: true });
  assert.deepEqual(await h.appendConnectivity({ target: '1.1.1.1:53', ok: true, latency_ms: 4, checked_at: new Date(T0).toISOString() }), { ok: true });
  const range = { start: T0 - 60 * MIN, end: T0 + 10 * MIN };
  assert.equal(h.statusEntries(range).length, 10);
  assert.equal(h.statusEntries(range, 3).length, 3);
  assert.deepEqual(h.latestStatus(), entry(T0 + 9 * MIN, true));
  assert.equal(h.uptime([{ id: 'web', name: 'Web' }], range, MIN)[0]!.uptime_percent, 90);
  assert.equal(h.serviceTimelines([{ id: 'web', name: 'Web' }], range)[0]!.timeline.length, 80);
  assert.equal(h.connectivityTimeline(range).length, 80);
  assert.equal(h.connectivity(range).length, 1);
  assert.equal(h.pendingWrites(), 0);
  assert.equal(h.lastWriteError(), undefined);
  await h.close();
  assert.deepEqual(log.lines, []);

  // Tear the last line: the next start drops it and says so in the log.
  const file = join(dir, 'status-2026-11-28.jsonl');
  await truncate(file, (await stat(file)).size - 5);
  const again = await openHistory({ dir, retentionDays: 30, now: () => T0 + 11 * MIN, log });
  assert.ok(again.ok);
  assert.equal(again.value.statusEntries(range).length, 9);
  assert.equal(log.lines.length, 1);
  assert.match(log.lines[0]!, /^WARN history: .*status-2026-11-28\.jsonl: dropped a damaged last line/);
  await again.value.close();
});

test('openHistory: an unusable data directory is an error value', async () => {
  const r = await openHistory({ dir: '/proc/version/data', retentionDays: 30, now: () => T0, log: captureLog() });
  assert.equal(r.ok, false);
});
