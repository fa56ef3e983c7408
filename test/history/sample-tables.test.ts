import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonFragments, SampleTables, toInterned } from '../../src/history/sample-tables.js';

test('equal ids, pairs, layouts and results are interned once', () => {
  const t = new SampleTables();
  const checks = [{ id: 'web', name: 'Web', ok: true, state: 'active' }, { id: 'db', name: 'DB', ok: false, state: 'failed', error: 'exit 1' }];
  const l1 = t.layoutFor(checks, -1);
  assert.equal(t.layoutFor(checks, l1), l1, 'the previous layout, without hashing');
  assert.equal(t.layoutFor(checks.map((c) => ({ ...c })), -1), l1);
  assert.equal(t.layoutFor([checks[1]!, checks[0]!], l1), l1 + 1, 'another order is another layout');
  const r1 = t.internResult(toInterned(checks[1]!));
  assert.equal(t.internResult({ ok: false, state: 'failed', error: 'exit 1' }), r1);
  assert.notEqual(t.internResult({ ok: false, state: 'failed' }), r1, 'a missing error is not an empty one');
  assert.deepEqual([t.ids, t.okOf[r1]], [['web', 'db'], 0]);
});

test('compacted tables keep only what is used, and say where each entry went', () => {
  const t = new SampleTables();
  t.layoutFor([{ id: 'old', name: 'Old', ok: true }], -1);
  const b = t.layoutFor([{ id: 'web', name: 'Web', ok: true }], -1);
  t.internResult({ ok: true, state: 'active' });
  const r1 = t.internResult({ ok: false, state: 'failed' });
  const { tables, layoutMap, resultMap } = t.compacted(Uint8Array.from([0, 1]), Uint8Array.from([0, 1]));
  assert.deepEqual(tables.ids, ['web']);
  assert.equal(layoutMap[b], 0);
  assert.equal(resultMap[r1], 0);
  assert.deepEqual(tables.results, [{ ok: false, state: 'failed' }]);
  assert.equal(tables.layouts.length, 1);
});

test('JSON fragments join to what JSON.stringify makes of a check', () => {
  const t = new SampleTables();
  const check = { id: 'we"b', name: 'Web \u2028', ok: false, state: 'failed', error: 'exit "1"', sub_state: 'failed', result: 'exit-code' };
  const layout = t.layoutFor([check], -1);
  const code = t.internResult(toInterned(check));
  const json = new JsonFragments(t);
  const text = `${json.pairHead(t.layouts[layout]!.pairs[0]!)}${json.resultTail(code)}}`;
  assert.equal(text, JSON.stringify(check));
});
