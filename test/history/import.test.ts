import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { FileStore } from '../../src/history/file-store.js';
import type { ConnectivityStatus, StatusEntry } from '../../src/types.js';

const NOW = Date.parse('2026-11-28T10:40:00.000Z');
const fixture = (name: string) => new URL(`../../../test/fixtures/history/node-a/${name}`, import.meta.url);
const msIso = (s: string) => new Date(Date.parse(s)).toISOString();

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jm-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(dir: string, now = NOW) {
  const r = await FileStore.open({ dir, retentionDays: 30, now: () => now });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r;
}

test("the original's history files are imported once, then kept aside as .imported", async (t) => {
  const dir = await tempDir(t);
  await copyFile(fixture('status_history.json'), join(dir, 'status_history.json'));
  await copyFile(fixture('connectivity_history.json'), join(dir, 'connectivity_history.json'));
  const original = JSON.parse(await readFile(fixture('status_history.json'), 'utf8')) as StatusEntry[];
  const probes = JSON.parse(await readFile(fixture('connectivity_history.json'), 'utf8')) as ConnectivityStatus[];

  const { store, report } = await open(dir);
  assert.deepEqual(store.status.entries(-Infinity, Infinity), original.map((e) => ({ ...e, timestamp: msIso(e.timestamp) })));
  assert.equal(store.connectivity.length, probes.length);
  assert.deepEqual(report.notes.map((n) => n.level), ['info', 'info']);
  assert.match(report.notes[0]!.message, /imported 3 record\(s\) into 1 daily segment\(s\)/);
  await store.close();

  assert.deepEqual((await readdir(dir)).sort(), [
    'connectivity-2026-11-28.jsonl', 'connectivity_history.json.imported', 'status-2026-11-28.jsonl', 'status_history.json.imported',
  ]);
  assert.deepEqual(await readFile(join(dir, 'status_history.json.imported')), await readFile(fixture('status_history.json')));
  // Each line is the original record as it was, nanosecond timestamps included.
  const lines = (await readFile(join(dir, 'status-2026-11-28.jsonl'), 'utf8')).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), original);

  const { store: again, report: second } = await open(dir, NOW + 60_000);
  assert.deepEqual(second.notes, []);
  assert.equal(again.status.length, 3);
  await again.close();
});

test('an import spanning several days: closed days are compacted, invalid records skipped and counted', async (t) => {
  const dir = await tempDir(t);
  const entry = (ts: string): StatusEntry => ({ timestamp: ts, checks: [{ id: 'a', name: 'A', ok: true, state: 'active' }] });
  const legacy = [entry('2026-11-26T23:59:00Z'), entry('2026-11-27T00:01:00Z'), { timestamp: 'bad', checks: [] }, 42, entry('2026-11-28T10:00:00Z')];
  await writeFile(join(dir, 'status_history.json'), JSON.stringify(legacy, null, 2));
  const { store, report } = await open(dir);
  assert.equal(store.status.length, 3);
  assert.match(report.notes[0]!.message, /imported 3 record\(s\) into 3 daily segment\(s\), skipped 2 invalid record\(s\)/);
  await store.close();
  assert.deepEqual((await readdir(dir)).sort(), [
    'status-2026-11-26.cols.gz', 'status-2026-11-27.cols.gz', 'status-2026-11-28.jsonl', 'status_history.json.imported',
  ]);
});

test('a damaged history file is kept aside untouched as .damaged-<time> and reported; the daemon starts empty', async (t) => {
  const dir = await tempDir(t);
  const garbage = '[{"timestamp": "2026-11-28T10:35:47Z", "checks": [';
  await writeFile(join(dir, 'status_history.json'), garbage);
  const { store, report } = await open(dir);
  assert.equal(store.status.length, 0);
  assert.equal(report.notes.length, 1);
  assert.equal(report.notes[0]!.level, 'warn');
  assert.match(report.notes[0]!.message, /status_history\.json.*not JSON.*kept aside/);
  await store.close();
  assert.deepEqual(await readdir(dir), ['status_history.json.damaged-20261128T104000Z']);
  assert.equal(await readFile(join(dir, 'status_history.json.damaged-20261128T104000Z'), 'utf8'), garbage);
});

test('no import when segments already exist: the file is left where it is, and the log says so', async (t) => {
  const dir = await tempDir(t);
  const { store } = await open(dir);
  await store.appendStatus({ timestamp: new Date(NOW).toISOString(), checks: [] });
  await store.close();
  await copyFile(fixture('status_history.json'), join(dir, 'status_history.json'));
  const { store: again, report } = await open(dir);
  assert.equal(again.status.length, 1);
  assert.equal(report.notes.length, 1);
  assert.equal(report.notes[0]?.level, 'warn');
  assert.match(report.notes[0]?.message ?? '', /not imported: this data directory already has status day files/);
  await again.close();
  assert.ok((await readdir(dir)).includes('status_history.json'));
});

