import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { failed, succeeded } from '../../src/peers/peer-state.js';
import { rowsVersion, syncVersion } from '../../src/peers/peer-version.js';
import { PeerStore } from '../../src/peers/store.js';
import { trackPeer } from '../../src/peers/tracked-peer.js';
import type { StatusEntry } from '../../src/types.js';

const T0 = Date.parse('2026-11-27T00:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const entry = (ms: number, ok = true): StatusEntry => ({ timestamp: iso(ms), checks: [{ id: 'web', name: 'Web', ok, state: ok ? 'active' : 'failed' }] });
const node = { id: 'b', name: 'B', interval_minutes: 1 };

function tracked() {
  const t = trackPeer({ id: 'b', name: 'b', base_url: 'http://127.0.0.1:1', enabled: true }, PeerStore.memory({ retentionDays: 30, now: () => T0 + 60 * MIN }), T0);
  t.store.add([entry(T0), entry(T0 + MIN)], [], { node, status: entry(T0 + MIN), last_success_at: iso(T0 + MIN) });
  t.record = succeeded(t.record, T0 + MIN + 5_000, 'b').record;
  return t;
}

describe('peer versions', () => {
  it('a refresh that brought nothing new moves the sync version only', () => {
    const t = tracked();
    const [rows, sync] = [rowsVersion(t, MIN), syncVersion(t)];
    // The same samples and the same word about itself, from a later refresh: a new meta object, a new time.
    t.store.add([entry(T0), entry(T0 + MIN)], [], { node, status: entry(T0 + MIN), last_success_at: iso(T0 + MIN + 30_000) });
    t.record = succeeded(t.record, T0 + MIN + 35_000, 'b').record;
    assert.equal(rowsVersion(t, MIN), rows);
    assert.notEqual(syncVersion(t), sync);
  });

  it('a new sample, a new word about itself, or a missed interval moves the rows version', () => {
    const t = tracked();
    const seen = new Set([rowsVersion(t, MIN)]);
    const moved = (what: string) => {
      const v = rowsVersion(t, MIN);
      assert.ok(!seen.has(v), what);
      seen.add(v);
    };
    t.store.add([entry(T0 + 2 * MIN)], [], { node, status: entry(T0 + 2 * MIN) });
    moved('a new sample');
    t.store.add([], [], { node: { ...node, name: 'B renamed' }, status: entry(T0 + 2 * MIN) });
    moved('a new name');
    // Good refreshes with no new sample for more than an interval: uptime now counts a missed slot.
    t.record = succeeded(t.record, T0 + 4 * MIN + 1_000, 'b').record;
    moved('an interval missed since the newest sample');
    t.store.reset();
    moved('the history dropped');
  });

  it('a failed refresh moves the sync version, its error included', () => {
    const t = tracked();
    const sync = syncVersion(t);
    t.record = failed(t.record, 'connect ECONNREFUSED').record;
    const once = syncVersion(t);
    assert.notEqual(once, sync);
    t.record = failed(t.record, 'timeout').record;
    assert.notEqual(syncVersion(t), once);
  });
});
