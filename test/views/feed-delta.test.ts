import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedNodeDetail, FeedUnit } from '../../src/views/cluster-feed.js';
import { applyFeedDelta, indexRows, unitChanges } from '../../src/views/feed-delta.js';

const head = { node: { id: 'n', name: 'N', interval_minutes: 1 }, generated_at: '2026-11-28T12:00:00.000Z', range: '24h' as const, range_start: '2026-11-27T12:00:00.000Z', range_end: '2026-11-28T12:00:00.000Z' };
const unit = (i: number, passing: number, extra: Partial<FeedUnit> = {}): FeedUnit => ({
  id: `u${i}`, name: `Unit ${i}`,
  check: { id: `u${i}`, name: `Unit ${i}`, ok: true, state: 'active' },
  uptime: { uptime_percent: 100, total_checks: passing, passing, failing: 0, missing_slots: 0 },
  timeline: 'sss', ...extra,
});
const rows = (units: FeedUnit[]): FeedNodeDetail => ({ ...head, buckets: [0, 1, 3], units });

/** The delta from `a` to `b`, applied to `a`. */
function roundTrip(a: FeedUnit[], b: FeedUnit[]) {
  const delta = unitChanges(b, indexRows(b), indexRows(a));
  if (delta === undefined) return { changes: undefined, every: undefined, applied: undefined };
  const { changes, every } = delta;
  return { changes, every, applied: applyFeedDelta(rows(a), { ...head, buckets: [0, 1, 3], since: 'x', tag: 'y', ...(every ? { every } : {}), changes }) };
}

describe('feed deltas', () => {
  it('one new sample sends only the keys that moved, and applying it gives the new rows', () => {
    const a = [unit(0, 10), unit(1, 10), unit(2, 10)];
    const b = [unit(0, 11), unit(1, 10), unit(2, 11, { timeline: 'ssw' })];
    const { changes, applied } = roundTrip(a, b);
    assert.deepEqual(changes, [
      [0, { uptime: { total_checks: 11, passing: 11 } }],
      [2, { uptime: { total_checks: 11, passing: 11 }, timeline: 'ssw' }],
    ]);
    assert.deepEqual(applied, rows(b));
    assert.equal(JSON.stringify(applied), JSON.stringify(rows(b)), 'the same bytes, key order included');
  });

  it('a row whose fields are not the same ones is sent whole (a field gone, an object emptied, one added)', () => {
    const a = [unit(0, 10, { url: 'http://x' }), unit(1, 10), unit(2, 10)];
    const b = [unit(0, 10), { ...unit(1, 10), check: {} as NonNullable<FeedUnit['check']> }, unit(2, 10, { details: [[1, '2026-11-28T11:00:00Z', 'failed', '']] })];
    const { changes, applied } = roundTrip(a, b);
    assert.deepEqual(changes?.map((c) => [c[0], c[2]]), [[0, 1], [1, 1], [2, 1]]);
    assert.deepEqual(applied, rows(b));
  });

  it('details that shift with the window are sent as places in the list held, and new entries whole', () => {
    const d = (b: number, m: number): [number, string, string, string] => [b, `2026-11-28T${String(m).padStart(2, '0')}:00:00Z`, 'failed', 'exit-code'];
    const a = [unit(0, 10, { details: [d(0, 1), d(0, 2), d(1, 3), d(2, 4)] }), unit(1, 10)];
    const b = [unit(0, 11, { details: [d(0, 2), d(0, 3), d(2, 4), d(2, 5)] }), unit(1, 10)];
    const { changes, applied } = roundTrip(a, b);
    assert.deepEqual(changes, [[0, { uptime: { total_checks: 11, passing: 11 }, 'details@': [1, d(0, 3), 3, d(2, 5)] }]]);
    assert.deepEqual(applied, rows(b));
    const wrong = applyFeedDelta(rows(a), { ...head, since: 'x', tag: 'y', changes: [[0, { 'details@': [9] }]] });
    assert.equal(wrong, null, 'a place the list held does not have: the delta does not fit');
  });

  it('compact details (strings) are sent by place as well', () => {
    const d = (b: number, m: number) => `${b} ${Date.parse('2026-11-28T00:00:00Z') + m * 60_000} failed`;
    const a = [unit(0, 10, { details: [d(0, 1), d(0, 2), d(1, 3), d(2, 4)] }), unit(1, 10)];
    const b = [unit(0, 11, { details: [d(0, 2), d(0, 3), d(2, 4), d(2, 5)] }), unit(1, 10)];
    const { changes, applied } = roundTrip(a, b);
    assert.deepEqual(changes, [[0, { uptime: { total_checks: 11, passing: 11 }, 'details@': [1, d(0, 3), 3, d(2, 5)] }]]);
    assert.deepEqual(applied, rows(b));
  });

  it('no delta when the units are not the same ones in the same order', () => {
    assert.equal(roundTrip([unit(0, 1), unit(1, 1)], [unit(1, 1), unit(0, 1)]).changes, undefined);
    assert.equal(roundTrip([unit(0, 1)], [unit(0, 1), unit(1, 1)]).changes, undefined);
  });

  it('a delta that does not fit the rows held is refused', () => {
    assert.equal(applyFeedDelta(rows([unit(0, 1)]), { ...head, since: 'x', tag: 'y', changes: [[3, { timeline: 's' }]] }), null);
  });

  it("a value every unit now shares (the sample's time, the sweep's duration) is sent once for the node, and each row held gets it", () => {
    const sample = (t: string, ms: number, passing: number, extra: Partial<FeedUnit> = {}) => (i: number): FeedUnit => {
      const u = unit(i, passing, extra);
      return { ...u, check: { ...u.check!, duration_ms: ms }, uptime: { ...u.uptime!, last_updated: t } };
    };
    const a = [0, 1, 2, 3].map((i) => sample('2026-11-28T11:55:00Z', 41.5, 10)(i));
    // Unit 3 has no check: `every` must not give it one.
    const { check: _c, ...noCheck } = a[3]!;
    a[3] = noCheck;
    const b = [0, 1, 2, 3].map((i) => sample('2026-11-28T12:00:00Z', 38.25, i === 2 ? 10 : 11)(i));
    const { check: _d, ...noCheckB } = b[3]!;
    b[3] = noCheckB;
    const { changes, every, applied } = roundTrip(a, b);
    assert.deepEqual(every, { check: { duration_ms: 38.25 }, uptime: { last_updated: '2026-11-28T12:00:00Z' } });
    assert.deepEqual(changes, [
      [0, { uptime: { total_checks: 11, passing: 11 } }],
      [1, { uptime: { total_checks: 11, passing: 11 } }],
      [3, { uptime: { total_checks: 11, passing: 11 } }],
    ]);
    assert.equal(JSON.stringify(applied), JSON.stringify(rows(b)), 'the same bytes as the new rows, unit 3 still without a check');
  });

  it('a value most units share but one does not goes per unit, so no row gets a value it does not have', () => {
    const a = [unit(0, 10), unit(1, 10), unit(2, 10)];
    const b = [unit(0, 10, { timeline: 'ssw' }), unit(1, 10, { timeline: 'ssw' }), unit(2, 10, { timeline: 'sse' })];
    const { changes, every, applied } = roundTrip(a, b);
    assert.equal(every, undefined);
    assert.equal(changes?.length, 3);
    assert.deepEqual(applied, rows(b));
  });
});
