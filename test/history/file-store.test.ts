import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, truncate, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { FileStore, type FileStoreOptions } from '../../src/history/file-store.js';
import type { ConnectivityStatus, StatusEntry } from '../../src/types.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const D0 = Date.parse('2026-11-20T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const sample = (t: number, ok = true, extra: Record<string, unknown> = {}): StatusEntry => ({
  timestamp: iso(t),
  checks: [
    { id: 'web', name: 'Web', ok, state: ok ? 'active' : 'failed', ...(ok ? {} : { error: 'failed' }), ...extra },
    { id: 'db', name: 'Database', ok: true, state: 'active' },
  ],
});
const probe = (t: number): ConnectivityStatus => ({ target: '127.0.0.1:53', ok: false, latency_ms: 0, error: 'refused', checked_at: iso(t) });

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jm-history-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openStore(dir: string, now: number, extra: Partial<FileStoreOptions> = {}) {
  const r = await FileStore.open({ dir, retentionDays: 30, now: () => now, ...extra });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r;
}

const times = (store: FileStore) => store.status.entries(-Infinity, Infinity).map((e) => e.timestamp);

test('appended samples and probes survive a restart, the latest with its extra fields', async (t) => {
  const dir = await tempDir(t);
  const now = D0 + 10 * 60 * MIN;
  const { store } = await openStore(dir, now);
  for (let k = 0; k < 5; k++) assert.deepEqual(await store.appendStatus(sample(now + k * MIN, k !== 2)), { ok: true });
  assert.deepEqual(await store.appendStatus(sample(now + 5 * MIN, true, { duration_ms: 12, restarts: 1 })), { ok: true });
  for (let k = 0; k < 3; k++) assert.deepEqual(await store.appendConnectivity(probe(now + k * 10_000)), { ok: true });
  await store.close();

  const { store: again, report } = await openStore(dir, now + 6 * MIN);
  assert.deepEqual(report.notes, []);
  assert.deepEqual(again.status.entries(-Infinity, Infinity), store.status.entries(-Infinity, Infinity));
  assert.deepEqual(again.status.latest(), sample(now + 5 * MIN, true, { duration_ms: 12, restarts: 1 }));
  assert.deepEqual(again.connectivity.entries(-Infinity, Infinity), [0, 1, 2].map((k) => probe(now + k * 10_000)));
  // One line per sample, in the original's wire shape.
  const lines = (await readFile(join(dir, 'status-2026-11-20.jsonl'), 'utf8')).trimEnd().split('\n');
  assert.equal(lines.length, 6);
  assert.deepEqual(JSON.parse(lines[2]!), sample(now + 2 * MIN, false));
  await again.close();
});

test('concurrent appends never interleave: every line whole, in call order', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0);
  const results = await Promise.all(Array.from({ length: 50 }, (_, k) => store.appendStatus(sample(D0 + k * 1000, k % 3 !== 0))));
  assert.ok(results.every((r) => r.ok));
  await store.close();
  const lines = (await readFile(join(dir, 'status-2026-11-20.jsonl'), 'utf8')).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as StatusEntry).timestamp), Array.from({ length: 50 }, (_, k) => iso(D0 + k * 1000)));
});

test('a torn last line, cut at every byte offset, is dropped and reported; everything before it is kept', async (t) => {
  const base = await tempDir(t);
  const pristine = join(base, 'pristine');
  const now = D0 + 60 * MIN;
  const { store } = await openStore(pristine, now);
  for (let k = 0; k < 3; k++) await store.appendStatus(sample(now + k * MIN, k === 1, { since: iso(now) }));
  await store.close();
  const file = 'status-2026-11-20.jsonl';
  const full = await readFile(join(pristine, file));
  const lastStart = full.lastIndexOf(10, full.length - 2) + 1;
  const expectedKept = [iso(now), iso(now + MIN)];

  for (let cut = lastStart; cut <= full.length; cut++) {
    const dir = join(base, `cut-${cut}`);
    await cp(pristine, dir, { recursive: true });
    await truncate(join(dir, file), cut);
    const { store: s, report } = await openStore(dir, now + 5 * MIN);
    const complete = cut >= full.length - 1; // only the newline missing: the record itself is whole
    assert.deepEqual(times(s), complete ? [...expectedKept, iso(now + 2 * MIN)] : expectedKept, `cut at ${cut}`);
    if (cut === lastStart || complete) {
      assert.deepEqual(report.notes, [], `cut at ${cut}`);
    } else {
      assert.equal(report.notes.length, 1, `cut at ${cut}`);
      assert.equal(report.notes[0]!.file, join(dir, file));
      assert.equal(report.notes[0]!.offset, lastStart);
    }
    // The file now ends on a whole line: the next append starts clean.
    await s.appendStatus(sample(now + 4 * MIN));
    await s.close();
    const { store: s2, report: r2 } = await openStore(dir, now + 5 * MIN);
    assert.deepEqual(r2.notes, [], `reopen after cut at ${cut}`);
    assert.deepEqual(times(s2), [...(complete ? [...expectedKept, iso(now + 2 * MIN)] : expectedKept), iso(now + 4 * MIN)]);
    await s2.close();
    await rm(dir, { recursive: true });
  }
});

test('garbage at the end is cut off; a garbage line in the middle is skipped; both reported with offsets', async (t) => {
  const dir = await tempDir(t);
  const now = D0 + 60 * MIN;
  const file = join(dir, 'status-2026-11-20.jsonl');
  const line = (k: number) => `${JSON.stringify(sample(now + k * MIN))}\n`;
  const junk = '{"timestamp":"2026-11-20T01:00:00Z","checks":[{"id":1}]}\n\u0000\u0000\u0000 not json at all\n';
  await mkdir(dir, { recursive: true });
  await writeFile(file, line(0) + junk + line(1) + '}}}garbage\n\u0000\u0000');
  const { store, report } = await openStore(dir, now + 5 * MIN);
  assert.deepEqual(times(store), [iso(now), iso(now + MIN)]);
  const middle = Buffer.byteLength(line(0));
  const tail = middle + Buffer.byteLength(junk) + Buffer.byteLength(line(1));
  assert.deepEqual(
    report.notes.map((n) => [n.level, n.offset, n.message.split(' (')[0]]),
    [
      ['warn', middle, 'skipped a damaged line'],
      ['warn', middle + junk.indexOf('\u0000'), 'skipped a damaged line'],
      ['warn', tail, 'dropped a damaged last line'],
      ['warn', tail + '}}}garbage\n'.length, 'dropped a damaged last line'],
    ],
  );
  assert.equal((await stat(file)).size, tail);
  await store.close();
});

test('segments roll over at UTC midnight; the closed day is compacted and loads the same', async (t) => {
  const dir = await tempDir(t);
  const midnight = D0 + DAY;
  const { store } = await openStore(dir, midnight - 2 * MIN);
  await store.appendStatus(sample(midnight - MIN));
  await store.appendStatus(sample(midnight - 1));
  await store.appendConnectivity(probe(midnight - 5_000));
  await store.appendStatus(sample(midnight));
  await store.appendConnectivity(probe(midnight + 5_000));
  await store.close();
  assert.deepEqual((await readdir(dir)).sort(), [
    'connectivity-2026-11-20.cols.gz', 'connectivity-2026-11-21.jsonl', 'status-2026-11-20.cols.gz', 'status-2026-11-21.jsonl',
  ]);
  const { store: again, report } = await openStore(dir, midnight + MIN);
  assert.deepEqual(report.notes, []);
  assert.deepEqual(times(again), [iso(midnight - MIN), iso(midnight - 1), iso(midnight)]);
  assert.deepEqual(again.connectivity.entries(-Infinity, Infinity), [probe(midnight - 5_000), probe(midnight + 5_000)]);
  await again.close();
});

test('a day left as JSON Lines by an earlier run is compacted at start', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0 + MIN);
  await store.appendStatus(sample(D0 + MIN));
  await store.close();
  const { store: later } = await openStore(dir, D0 + 3 * DAY);
  assert.deepEqual((await readdir(dir)).sort(), ['status-2026-11-20.cols.gz']);
  assert.deepEqual(times(later), [iso(D0 + MIN)]);
  await later.close();
});

test('after the clock went back across midnight, samples go to the current segment, never a closed one', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0 + DAY + MIN);
  await store.appendStatus(sample(D0 + DAY + MIN));
  await store.appendStatus(sample(D0 + DAY - MIN)); // stamped yesterday
  await store.close();
  assert.deepEqual((await readdir(dir)).sort(), ['status-2026-11-21.jsonl']);
  const { store: again } = await openStore(dir, D0 + DAY + 2 * MIN);
  assert.deepEqual(times(again), [iso(D0 + DAY - MIN), iso(D0 + DAY + MIN)]);
  await again.close();
});

test('retention: old samples leave memory, whole old segments leave the disk (one day of margin)', async (t) => {
  const dir = await tempDir(t);
  let now = D0;
  const r = await FileStore.open({ dir, retentionDays: 2, now: () => now });
  assert.ok(r.ok);
  const store = r.store;
  for (let d = 0; d < 6; d++) {
    now = D0 + d * DAY + 12 * 60 * MIN;
    await store.appendStatus(sample(now));
  }
  now = D0 + 5 * DAY + 13 * 60 * MIN;
  const report = await store.prune();
  assert.deepEqual(report.removedFiles.map((f) => f.slice(dir.length + 1)).sort(), ['status-2026-11-20.cols.gz', 'status-2026-11-21.cols.gz']);
  assert.equal(report.removedSamples, 4);
  assert.deepEqual(times(store), [iso(D0 + 4 * DAY + 12 * 60 * MIN), iso(D0 + 5 * DAY + 12 * 60 * MIN)]);
  await store.close();
  assert.deepEqual((await readdir(dir)).sort(), ['status-2026-11-22.cols.gz', 'status-2026-11-23.cols.gz', 'status-2026-11-24.cols.gz', 'status-2026-11-25.jsonl']);

  // Three days later, at start: none of the samples is within retention, so none is loaded; the files stay
  // (a clock far ahead at start must not take the history with it) until prune(), which keeps only
  // 2026-11-25, within retention + margin (it goes tomorrow).
  const later = await FileStore.open({ dir, retentionDays: 2, now: () => D0 + 8 * DAY });
  assert.ok(later.ok);
  assert.equal(later.store.status.length, 0);
  assert.equal((await readdir(dir)).length, 4);
  const pruned = await later.store.prune();
  assert.equal(pruned.removedFiles.length, 3);
  assert.deepEqual((await readdir(dir)).sort(), ['status-2026-11-25.jsonl']);
  await later.store.close();
});

test('a failed write does not throw: the sample stays in memory, is buffered, and written once the disk works again', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0);
  assert.deepEqual(await store.appendStatus(sample(D0)), { ok: true });
  // Make the next day's segment unwritable: a directory where the file should be.
  const blocked = join(dir, 'status-2026-11-21.jsonl');
  await mkdir(blocked);
  const failed = await store.appendStatus(sample(D0 + DAY));
  assert.equal(failed.ok, false);
  assert.match((failed as { error: string }).error, /EISDIR/);
  assert.equal(store.pendingCount, 1);
  assert.match(store.lastWriteError ?? '', /EISDIR/);
  assert.equal(store.status.length, 2);
  await rmdir(blocked);
  assert.deepEqual(await store.appendStatus(sample(D0 + DAY + MIN)), { ok: true });
  assert.equal(store.pendingCount, 0);
  assert.equal(store.lastWriteError, undefined);
  await store.close();
  const lines = (await readFile(blocked, 'utf8')).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as StatusEntry).timestamp), [iso(D0 + DAY), iso(D0 + DAY + MIN)]);
});

test('the retry buffer is bounded: the oldest unwritten lines are given up first', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0, { maxPendingBytes: 1000 });
  await mkdir(join(dir, 'status-2026-11-20.jsonl'));
  for (let k = 0; k < 20; k++) assert.equal((await store.appendStatus(sample(D0 + k * MIN))).ok, false);
  assert.ok(store.pendingCount > 0 && store.pendingCount < 20);
  assert.equal(store.pendingCount + store.droppedCount, 20);
  assert.equal(store.status.length, 20);
  await rmdir(join(dir, 'status-2026-11-20.jsonl'));
  assert.deepEqual(await store.flush(), { ok: true });
  await store.close();
  const lines = (await readFile(join(dir, 'status-2026-11-20.jsonl'), 'utf8')).trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as StatusEntry).timestamp), Array.from({ length: 20 }, (_, k) => iso(D0 + k * MIN)).slice(20 - lines.length));
});

test('a damaged compact segment is kept aside and reported; the rest loads', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0);
  await store.appendStatus(sample(D0 + MIN));
  await store.appendStatus(sample(D0 + DAY + MIN));
  await store.close();
  await writeFile(join(dir, 'status-2026-11-20.cols.gz'), 'not a segment');
  const { store: again, report } = await openStore(dir, D0 + DAY + 2 * MIN);
  assert.deepEqual(times(again), [iso(D0 + DAY + MIN)]);
  assert.equal(report.notes.length, 1);
  assert.equal(report.notes[0]!.level, 'error');
  assert.ok((await readdir(dir)).some((f) => f.startsWith('status-2026-11-20.cols.gz.damaged-')));
  await again.close();
});

test('a data directory that cannot be created or written is an error from open()', async (t) => {
  const base = await tempDir(t);
  const file = join(base, 'a-file');
  await writeFile(file, 'x');
  for (const dir of [file, join(file, 'sub')]) {
    const r = await FileStore.open({ dir, retentionDays: 30, now: () => D0 });
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /data directory/);
  }
});

test('a sample without a usable timestamp is refused, nothing written', async (t) => {
  const dir = await tempDir(t);
  const { store } = await openStore(dir, D0);
  const r = await store.appendStatus({ timestamp: 'yesterday', checks: [] });
  assert.equal(r.ok, false);
  await store.close();
  assert.deepEqual(await readdir(dir), []);
});
