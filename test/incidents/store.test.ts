import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INCIDENTS_FILE, openIncidentStore } from '../../src/incidents/store.js';
import type { StoredIncident } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const DAY = 86_400_000;

function inc(id: string, startMs: number, endMs?: number): StoredIncident {
  return {
    id, kind: 'unit', subject: id, name: id, node: 'n1',
    started_at: new Date(startMs).toISOString(),
    ...(endMs !== undefined ? { ended_at: new Date(endMs).toISOString() } : {}),
    last_failure_at: new Date(endMs ?? startMs).toISOString(),
    states: ['failed'], errors: ['boom'], samples: 2,
  };
}

function logs(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(l), now: () => NOW }) };
}

async function open(dir: string, over: { now?: number; maxResolved?: number } = {}) {
  const { lines, log } = logs();
  const r = await openIncidentStore({ dir, retentionDays: 30, now: () => over.now ?? NOW, log, ...(over.maxResolved !== undefined ? { maxResolved: over.maxResolved } : {}) });
  assert.ok(r.ok);
  return { store: r.value, lines };
}

describe('incident store', () => {
  it('keeps incidents across a restart: the open one stays open, the latest version of each wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-inc-'));
    const a = await open(dir);
    a.store.record({ type: 'open', incident: inc('web', NOW - 60_000) });
    a.store.record({ type: 'open', incident: inc('db', NOW - 120_000) });
    a.store.record({ type: 'update', incident: { ...inc('db', NOW - 120_000), samples: 9 } });
    a.store.record({ type: 'resolve', incident: inc('db', NOW - 120_000, NOW - 30_000) });
    await a.store.close();

    const b = await open(dir);
    assert.deepEqual(b.store.openIncidents().map((i) => i.id), ['web']);
    const db = [...b.store.all()].find((i) => i.id === 'db');
    assert.equal(db?.ended_at, new Date(NOW - 30_000).toISOString());
    await b.store.close();
  });

  it('drops resolved incidents past retention_days, on disk too, and keeps old open ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-inc-'));
    const a = await open(dir);
    a.store.record({ type: 'resolve', incident: inc('ancient', NOW - 40 * DAY, NOW - 31 * DAY) });
    a.store.record({ type: 'resolve', incident: inc('recent', NOW - 2 * DAY, NOW - DAY) });
    a.store.record({ type: 'open', incident: inc('long-open', NOW - 60 * DAY) });
    await a.store.close();

    const b = await open(dir);
    assert.deepEqual([...b.store.all()].map((i) => i.id).sort(), ['long-open', 'recent']);
    await b.store.close();
    const onDisk = readFileSync(join(dir, INCIDENTS_FILE), 'utf8');
    assert.equal(onDisk.includes('ancient'), false, 'the file was rewritten without it');
  });

  it('keeps at most maxResolved resolved incidents, the newest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-inc-'));
    const { store } = await open(dir, { maxResolved: 2 });
    for (let i = 1; i <= 4; i++) store.record({ type: 'resolve', incident: inc(`r${i}`, NOW - 10 * DAY + i * 1000, NOW - 9 * DAY + i * 1000) });
    await store.prune();
    assert.deepEqual([...store.all()].map((i) => i.id).sort(), ['r3', 'r4']);
    await store.close();
  });

  it('skips a torn or foreign line with a log line, and keeps the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-inc-'));
    const good = JSON.stringify({ event: 'open', incident: inc('web', NOW - 60_000) });
    writeFileSync(join(dir, INCIDENTS_FILE), `${good}\n{"event":"open","incident":{"id":1}}\n`);
    appendFileSync(join(dir, INCIDENTS_FILE), '{"event":"resolve","inc');
    const { store, lines } = await open(dir);
    assert.deepEqual(store.openIncidents().map((i) => i.id), ['web']);
    assert.ok(lines.some((l) => /WARN incidents: .*skipped 2 unreadable line/.test(l)), lines.join('\n'));
    await store.close();
  });

  it('refuses a data directory it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-inc-'));
    writeFileSync(join(dir, 'file'), 'x');
    const { log } = logs();
    const r = await openIncidentStore({ dir: join(dir, 'file'), retentionDays: 30, now: () => NOW, log });
    assert.equal(r.ok, false);
  });
});

describe('incident store: changes during a rewrite', () => {
  it('an incident recorded while the file is being rewritten is on disk afterwards', async () => {
    let lost = 0;
    for (let trial = 0; trial < 10; trial++) {
      const dir = mkdtempSync(join(tmpdir(), 'jm-inc-race-'));
      const t = Date.now();
      const opened = await openIncidentStore({ dir, retentionDays: 30, now: () => t, log: createLogger({ write: () => undefined }) });
      assert.ok(opened.ok);
      const s = opened.value;
      const inc = (id: string, ended?: string): StoredIncident => ({
        id, kind: 'unit', subject: id, name: id, node: 'n', started_at: new Date(t - 1000).toISOString(),
        last_failure_at: new Date(t - 1000).toISOString(), states: ['failed'], errors: [], samples: 1, ...(ended !== undefined ? { ended_at: ended } : {}),
      });
      s.record({ type: 'resolve', incident: inc('old', new Date(t - 40 * 86_400_000).toISOString()) });
      await s.flush();
      const pruned = s.prune(); // drops 'old': the file is rewritten
      // Wait until the rewrite's temp file exists: its snapshot is taken and the write is in flight.
      for (let i = 0; i < 10_000; i++) {
        try {
          readFileSync(join(dir, `${INCIDENTS_FILE}.tmp`));
          break;
        } catch {
          await new Promise((r) => setImmediate(r));
        }
      }
      s.record({ type: 'open', incident: inc('b') });
      await pruned;
      await s.flush();
      const ids = readFileSync(join(dir, INCIDENTS_FILE), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { incident: { id: string } }).incident.id);
      if (!ids.includes('b')) lost++;
      await s.close();
    }
    assert.equal(lost, 0, `incident lost in ${lost} of 10 trials`);
  });
});
