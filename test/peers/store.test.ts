import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerStore, peerDir } from '../../src/peers/store.js';
import type { ConnectivityStatus, StatusEntry } from '../../src/types.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-11-27T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const entry = (ms: number, ok = true): StatusEntry => ({ timestamp: iso(ms), checks: [{ id: 'web', name: 'Web', ok, state: ok ? 'active' : 'failed' }] });
const probe = (ms: number): ConnectivityStatus => ({ target: '127.0.0.1:53', ok: true, latency_ms: 1, checked_at: iso(ms) });
const times = (store: PeerStore) => store.status.entries(-Infinity, Infinity).map((e) => Date.parse(e.timestamp));

function clock(start: number) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms) };
}

describe('PeerStore', () => {
  it('adds only samples newer than the newest held (a full pull of an original node repeats them all)', () => {
    const store = PeerStore.memory({ retentionDays: 30, now: () => T0 + DAY });
    assert.deepEqual(store.add([entry(T0 + 1000), entry(T0 + 2000)], [probe(T0 + 1500)], {}), { status: 2, connectivity: 1 });
    assert.deepEqual(store.add([entry(T0 + 1000), entry(T0 + 2000), entry(T0 + 3000)], [probe(T0 + 1500), probe(T0 + 2500)], {}), { status: 1, connectivity: 1 });
    assert.deepEqual(times(store), [T0 + 1000, T0 + 2000, T0 + 3000]);
  });

  it('skips samples older than retention', () => {
    const store = PeerStore.memory({ retentionDays: 1, now: () => T0 + 3 * DAY });
    store.add([entry(T0), entry(T0 + 2.5 * DAY)], [], {});
    assert.deepEqual(times(store), [T0 + 2.5 * DAY]);
  });

  it('keeps history and meta across a restart, compacting closed days', async () => {
    const dir = peerDir(mkdtempSync(join(tmpdir(), 'jm-peerstore-')), 'node-b');
    const c = clock(T0 + DAY + 12 * 3600_000); // noon of the second day
    const opened = await PeerStore.open({ dir, retentionDays: 30, now: c.now });
    assert.ok(opened.ok);
    const store = opened.store;
    const status = { timestamp: iso(T0 + DAY + 1000), checks: [{ id: 'web', name: 'Web', ok: true, restarts: 3 }] };
    store.add([entry(T0 + 100), entry(T0 + DAY - 1), status], [probe(T0 + DAY + 500)], {
      node: { id: 'node-b', name: 'Node B', interval_minutes: 1 },
      status,
      targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false }],
      last_success_at: iso(c.now()),
    });
    await store.flushed();
    assert.deepEqual(readdirSync(dir).sort(), ['connectivity-2026-11-28.jsonl', 'peer.json', 'status-2026-11-27.cols.gz', 'status-2026-11-28.jsonl']);

    // The next day: the second day's lines are compacted with the next write.
    c.set(T0 + 2 * DAY + 60_000);
    store.add([entry(T0 + 2 * DAY + 1000, false)], [], { ...store.meta, last_success_at: iso(c.now()) });
    await store.close();
    assert.deepEqual(readdirSync(dir).sort(), [
      'connectivity-2026-11-28.cols.gz', 'peer.json', 'status-2026-11-27.cols.gz', 'status-2026-11-28.cols.gz', 'status-2026-11-29.jsonl',
    ]);

    const again = await PeerStore.open({ dir, retentionDays: 30, now: c.now });
    assert.ok(again.ok);
    assert.deepEqual(times(again.store), [T0 + 100, T0 + DAY - 1, T0 + DAY + 1000, T0 + 2 * DAY + 1000]);
    assert.equal(again.store.connectivity.length, 1);
    assert.deepEqual(again.store.meta.node, { id: 'node-b', name: 'Node B', interval_minutes: 1 });
    assert.deepEqual(again.store.meta.status, status, 'the latest status keeps its extra fields');
    assert.equal(again.store.meta.last_success_at, iso(c.now()));
    assert.equal(again.store.lastStatusTime(), T0 + 2 * DAY + 1000);
  });

  it('survives a torn last line and an unreadable peer.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-peerstore-'));
    const now = () => T0 + 3600_000;
    const first = await PeerStore.open({ dir, retentionDays: 30, now });
    assert.ok(first.ok);
    first.store.add([entry(T0 + 1000), entry(T0 + 2000)], [], { last_success_at: iso(now()) });
    await first.store.close();
    appendFileSync(join(dir, 'status-2026-11-27.jsonl'), '{"timestamp":"2026-11-27T00:00:03Z","chec');
    writeFileSync(join(dir, 'peer.json'), '{not json');
    const notes: string[] = [];
    const again = await PeerStore.open({ dir, retentionDays: 30, now, onNote: (m) => notes.push(m) });
    assert.ok(again.ok);
    assert.deepEqual(times(again.store), [T0 + 1000, T0 + 2000]);
    assert.deepEqual(again.store.meta, {});
    assert.equal(notes.length, 2, notes.join('\n'));
    // New lines start on a line of their own.
    again.store.add([entry(T0 + 3000)], [], {});
    await again.store.close();
    const third = await PeerStore.open({ dir, retentionDays: 30, now });
    assert.ok(third.ok);
    assert.deepEqual(times(third.store), [T0 + 1000, T0 + 2000, T0 + 3000]);
  });

  it('reset forgets everything, in memory and on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-peerstore-'));
    const now = () => T0 + 3600_000;
    const opened = await PeerStore.open({ dir, retentionDays: 30, now });
    assert.ok(opened.ok);
    opened.store.add([entry(T0 + 1000)], [probe(T0 + 1000)], { last_success_at: iso(now()) });
    opened.store.reset();
    await opened.store.close();
    assert.equal(opened.store.status.length, 0);
    assert.deepEqual(opened.store.meta, {});
    assert.deepEqual(readdirSync(dir), []);
  });

  it('removes files past retention when opened, counting from the newest day on disk (a clock far ahead takes nothing)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-peerstore-'));
    const old = await PeerStore.open({ dir, retentionDays: 30, now: () => T0 + 3600_000 });
    assert.ok(old.ok);
    old.store.add([entry(T0 + 1000)], [], {});
    await old.store.close();
    // Ten days later by a clock that may be wrong: nothing newer on disk, so nothing goes; nothing is loaded either.
    const now = () => T0 + 10 * DAY + 3600_000;
    const ahead = await PeerStore.open({ dir, retentionDays: 2, now });
    assert.ok(ahead.ok);
    assert.equal(ahead.store.status.length, 0);
    assert.equal(existsSync(join(dir, 'status-2026-11-27.jsonl')), true);
    // Refreshes write the last three days; at the next start the old day is past retention by every count and goes.
    ahead.store.add([entry(T0 + 8 * DAY + 7200_000), entry(T0 + 9 * DAY + 1000), entry(T0 + 10 * DAY + 1000)], [], {});
    await ahead.store.close();
    const later = await PeerStore.open({ dir, retentionDays: 2, now });
    assert.ok(later.ok);
    assert.deepEqual(times(later.store), [T0 + 8 * DAY + 7200_000, T0 + 9 * DAY + 1000, T0 + 10 * DAY + 1000]);
    assert.equal(existsSync(join(dir, 'status-2026-11-27.jsonl')), false);
    assert.equal(existsSync(join(dir, 'status-2026-11-27.cols.gz')), false);
    await later.store.close();
  });
});
