/**
 * A bucket detail as the compact feed sends it (src/views/cluster-feed.ts):
 * one short string where that gives back exactly what /api/cluster says, the
 * list form otherwise, and anything else from the wire dropped, never shown
 * as something it is not.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDetail, encodeDetail, expandTimeline } from '../../src/views/cluster-feed.js';
import type { TimelineDetail } from '../../src/types.js';

const at = '2026-11-28T11:05:00.036Z';
const ms = Date.parse(at);

describe('feed details', () => {
  it('a systemd failure is one string without the repeated error, and reads back as the same detail', () => {
    const d: TimelineDetail = { timestamp: at, state: 'failed', error: 'failed' };
    assert.equal(encodeDetail(7, d), `7 ${ms} failed`);
    assert.deepEqual(decodeDetail(encodeDetail(7, d)), [7, d]);
  });

  it('every mix of state and error reads back as it was, an error with spaces included', () => {
    const cases: TimelineDetail[] = [
      { timestamp: at, state: 'activating', error: 'start job running' },
      { timestamp: at, state: 'failed' },
      { timestamp: at, error: 'exec: "systemctl": executable file not found in $PATH' },
      { timestamp: at },
      { timestamp: at, state: 'auto-restart', error: 'exit-code' },
      { timestamp: '1969-12-31T23:59:59.000Z', state: 'failed', error: 'x ' },
    ];
    for (const d of cases) {
      const e = encodeDetail(3, d);
      assert.equal(typeof e, 'string', JSON.stringify(d));
      assert.deepEqual(decodeDetail(e), [3, d], `${JSON.stringify(d)} as ${JSON.stringify(e)}`);
    }
  });

  it('a detail the string cannot give back exactly keeps the list form: an original node\'s nanoseconds, a state that is not a word', () => {
    const nanos: TimelineDetail = { timestamp: '2026-11-28T11:05:00.036512345Z', state: 'failed', error: 'failed' };
    const offset: TimelineDetail = { timestamp: '2026-11-28T12:05:00+01:00', state: 'failed' };
    const spaced: TimelineDetail = { timestamp: at, state: 'not found', error: 'x' };
    // Text Date.parse would read leniently, as another instant than written: February 30, 24:00, a two-digit year.
    const lenient = ['2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '0099-01-01T00:00:00.000Z'].map((timestamp): TimelineDetail => ({ timestamp, state: 'failed' }));
    for (const d of [nanos, offset, spaced, ...lenient]) {
      const e = encodeDetail(2, d);
      assert.ok(Array.isArray(e), JSON.stringify(e));
      assert.deepEqual(decodeDetail(e), [2, d]);
    }
  });

  it('any instant written by toISOString in whole ms is sent as a string and read back as the same text', () => {
    for (let i = 0; i < 2000; i++) {
      const t = new Date(Math.floor((i * 7_919_993_263) % 4e12) - 1e11).toISOString();
      const e = encodeDetail(0, { timestamp: t, state: 'failed' });
      assert.equal(typeof e, 'string', t);
      assert.equal(decodeDetail(e)?.[1].timestamp, t);
    }
  });

  it('a timeline expanded from compact details has each detail in its bucket; entries of no known form are dropped', () => {
    const step = 60_000;
    const start = ms - 2 * step;
    const points = expandTimeline('see', [start, step, start + 3 * step], [
      `1 ${ms - step} failed`, `2 ${ms} activating start job running`, [2, at, 'failed', ''],
      'not a detail', `9 ${ms} failed`, 42 as never, ['1', at, 'failed', ''] as never, `1 99999999999999999999 failed`,
    ]);
    assert.equal(points[0]!.details, undefined);
    assert.deepEqual(points[1]!.details, [{ timestamp: new Date(ms - step).toISOString(), state: 'failed', error: 'failed' }]);
    assert.deepEqual(points[2]!.details, [{ timestamp: at, state: 'activating', error: 'start job running' }, { timestamp: at, state: 'failed' }]);
  });
});
