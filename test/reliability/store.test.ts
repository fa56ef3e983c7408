/**
 * The history store's fault handling below the daemon: a segment deleted
 * while open, the retry buffer overflowing (and saying so), and a retry
 * after a failed write that finds the file replaced by a shorter one.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileStore, type StoreNote } from '../../src/history/file-store.js';
import type { StatusEntry } from '../../src/types.js';
import { fillUp, gateRoot, mountTmpfs, scratch } from './support.js';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');
const MIN = 60_000;
const entry = (ms: number): StatusEntry => ({ timestamp: new Date(ms).toISOString(), checks: [{ id: 'web', name: 'Web', ok: true, state: 'active' }] });
const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as StatusEntry).timestamp);

test('a segment deleted while the store has it open is noticed at the next append and started anew, with a note', async (t) => {
  const dir = scratch(t, 'jm-rel-store-');
  const notes: StoreNote[] = [];
  const r = await FileStore.open({ dir, retentionDays: 30, now: () => T0, onNote: (n) => notes.push(n) });
  assert.ok(r.ok);
  const file = join(dir, 'status-2026-11-28.jsonl');
  assert.deepEqual(await r.store.appendStatus(entry(T0)), { ok: true });
  await unlink(file);
  assert.deepEqual(await r.store.appendStatus(entry(T0 + MIN)), { ok: true });
  assert.deepEqual(await lines(file), [entry(T0 + MIN).timestamp], 'written to a file that exists, not to the deleted one');
  assert.deepEqual(notes.map((n) => [n.level, n.file, n.message.split(';')[0]]), [['error', file, 'segment was removed while in use']]);
  assert.equal(r.store.status.length, 2, 'both still in memory');
  await r.store.close();
});

test('when the retry buffer overflows, the error says how many lines were given up', async (t) => {
  const dir = scratch(t, 'jm-rel-store-');
  const r = await FileStore.open({ dir, retentionDays: 30, now: () => T0, maxPendingBytes: 400 });
  assert.ok(r.ok);
  // A directory where the segment should be: every write fails (EISDIR), as root too.
  await mkdir(join(dir, 'status-2026-11-28.jsonl'));
  let last: { ok: boolean; error?: string } = { ok: true };
  for (let k = 0; k < 10; k++) last = await r.store.appendStatus(entry(T0 + k * MIN));
  assert.equal(last.ok, false);
  const given = r.store.droppedCount;
  assert.ok(given > 0);
  assert.match(last.error ?? '', new RegExp(`^EISDIR: .* \\(${r.store.pendingCount} status lines waiting; ${given} status lines? given up so far, the retry buffer being full\\)$`));
  await rmdir(join(dir, 'status-2026-11-28.jsonl'));
  assert.deepEqual(await r.store.flush(), { ok: true });
  await r.store.close();
  assert.equal((await lines(join(dir, 'status-2026-11-28.jsonl'))).length, 10 - given);
});

test('a retry that finds the segment replaced by a shorter file appends to it, never padding it with zeros', async (t) => {
  if (!gateRoot(t)) return;
  const mnt = mountTmpfs(t, '64k');
  const r = await FileStore.open({ dir: mnt, retentionDays: 30, now: () => T0 });
  assert.ok(r.ok);
  const file = join(mnt, 'status-2026-11-28.jsonl');
  for (let k = 0; k < 20; k++) assert.deepEqual(await r.store.appendStatus(entry(T0 + k * MIN)), { ok: true });
  const filler = fillUp(mnt);
  // The segment's last page may still have room: append until a write fails.
  let k = 20;
  while ((await r.store.appendStatus(entry(T0 + k * MIN))).ok) k++;
  assert.ok(k < 100);
  const failedAt = T0 + k * MIN;
  // Someone replaces the segment with a shorter one while the write is waiting for space.
  await rm(filler);
  const short = `${JSON.stringify(entry(T0 - MIN))}\n`;
  await writeFile(file, short);
  assert.deepEqual(await r.store.appendStatus(entry(failedAt + MIN)), { ok: true });
  await r.store.close();
  const text = await readFile(file, 'utf8');
  assert.doesNotMatch(text, /\u0000/, 'no zero padding');
  assert.deepEqual(await lines(file), [T0 - MIN, failedAt, failedAt + MIN].map((ms) => new Date(ms).toISOString()), 'the replacement, then the waiting line, then the new one');
});
