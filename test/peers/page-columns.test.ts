import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SampleLog } from '../../src/history/sample-log.js';
import { columnsAfter } from '../../src/peers/page-columns.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');

/** Samples whose width changes (a unit added at the 3rd), so the code offsets are not a multiple of one width. */
function log(): SampleLog {
  const l = new SampleLog();
  for (let i = 0; i < 6; i++) {
    const checks = [{ id: 'a', name: 'A', ok: i !== 1, state: i !== 1 ? 'active' : 'failed' }];
    if (i >= 2) checks.push({ id: 'b', name: 'B', ok: true, state: 'active' });
    l.append({ timestamp: new Date(T0 + i * 60_000).toISOString(), checks });
  }
  return l;
}

describe('columnsAfter', () => {
  it('keeps the samples after a time, each with its own checks', () => {
    const cols = log().toColumns();
    const after = columnsAfter(cols, T0 + 2 * 60_000);
    const back = new SampleLog();
    back.appendColumns(after);
    assert.deepEqual(back.entries(-Infinity, Infinity), log().entries(T0 + 3 * 60_000, Infinity));
  });

  it('keeps everything, or nothing, and honours a lower bound', () => {
    const cols = log().toColumns();
    assert.equal(columnsAfter(cols, -Infinity), cols);
    assert.equal(columnsAfter(cols, T0 + 10 * 60_000).times.length, 0);
    const back = new SampleLog();
    back.appendColumns(columnsAfter(cols, -Infinity, T0 + 60_000));
    assert.deepEqual(back.entries(-Infinity, Infinity), log().entries(T0 + 60_000, Infinity));
  });
});
