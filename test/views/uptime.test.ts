import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampleLog } from '../../src/history/sample-log.js';
import type { CheckResult, StatusEntry } from '../../src/types.js';
import { computeUptime } from '../../src/views/uptime.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

const ok = (id: string, name = id.toUpperCase()): CheckResult => ({ id, name, ok: true, state: 'active' });
const failed = (id: string, name = id.toUpperCase()): CheckResult => ({ id, name, ok: false, state: 'failed', error: 'failed' });
const at = (ms: number, ...checks: CheckResult[]): StatusEntry => ({ timestamp: new Date(ms).toISOString(), checks });

/** One sample per minute from `from` (inclusive) to `to` (exclusive), each made by `checks(t)`. */
function steady(log: SampleLog, from: number, to: number, checks: (t: number) => CheckResult[]): void {
  for (let t = from; t < to; t += MIN) log.append(at(t, ...checks(t)));
}

test('steady sampling once per interval: 100 %, no missing slot, whatever the phase of the window', () => {
  const log = new SampleLog();
  steady(log, T0, T0 + 2 * DAY, () => [ok('a')]);
  const last = T0 + 2 * DAY - MIN;
  // The window ends on a sample, between samples, and while the next sample is due but not stored yet.
  for (const end of [last, last + 1, last + 30_000, last + MIN - 1, last + MIN + 5_000, last + 2 * MIN - 1]) {
    const range = { start: end - DAY, end };
    const [row] = computeUptime(log, [{ id: 'a', name: 'A' }], range, MIN);
    const inWindow = log.upperBound(range.end) - log.lowerBound(range.start);
    assert.equal(row!.missing_slots, 0, `end = last + ${end - last} ms`);
    assert.equal(row!.uptime_percent, 100);
    assert.equal(row!.passing, inWindow);
    assert.equal(row!.total_checks, inWindow);
  }
});

test('a sample more than one interval overdue is charged as missing', () => {
  const log = new SampleLog();
  steady(log, T0, T0 + HOUR, () => [ok('a')]);
  const last = T0 + HOUR - MIN;
  const rowAt = (end: number) => computeUptime(log, [{ id: 'a', name: 'A' }], { start: end - DAY, end }, MIN)[0]!;
  assert.equal(rowAt(last + 2 * MIN - 1).missing_slots, 0);
  assert.equal(rowAt(last + 2 * MIN).missing_slots, 1);
  assert.equal(rowAt(last + 11 * MIN).missing_slots, 10);
});

test('a 2-hour daemon gap is exactly 120 missing slots', () => {
  const log = new SampleLog();
  steady(log, T0, T0 + 10 * HOUR, () => [ok('a')]);
  steady(log, T0 + 12 * HOUR, T0 + 20 * HOUR, () => [ok('a')]);
  const end = T0 + 20 * HOUR - MIN + 10_000;
  const [row] = computeUptime(log, [{ id: 'a', name: 'A' }], { start: end - DAY, end }, MIN);
  assert.equal(row!.passing, 18 * 60);
  assert.equal(row!.missing_slots, 120);
  assert.equal(row!.failing, 120);
  assert.equal(row!.total_checks, 20 * 60);
  assert.equal(row!.uptime_percent, 90);
});

test('a target added later is not charged for the time before it existed', () => {
  const log = new SampleLog();
  const added = T0 + 10 * HOUR;
  steady(log, T0, T0 + DAY, (t) => (t < added ? [ok('a')] : [ok('a'), failed('b')]));
  const end = T0 + DAY - MIN;
  const rows = computeUptime(log, [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }], { start: end - DAY, end }, MIN);
  const b = rows.find((r) => r.id === 'b')!;
  assert.deepEqual([b.passing, b.failing, b.missing_slots, b.total_checks], [0, 14 * 60, 0, 14 * 60]);
  const a = rows.find((r) => r.id === 'a')!;
  assert.deepEqual([a.passing, a.missing_slots, a.uptime_percent], [24 * 60, 0, 100]);
});

test('a target sampled before the window but not in it: every slot of the window is missing', () => {
  const log = new SampleLog();
  steady(log, T0, T0 + HOUR, () => [ok('a')]);
  const end = T0 + 3 * DAY;
  const [row] = computeUptime(log, [{ id: 'a', name: 'A' }], { start: end - DAY, end }, MIN);
  assert.deepEqual(
    { ...row },
    { id: 'a', name: 'A', uptime_percent: 0, total_checks: 1440, passing: 0, failing: 1440, missing_slots: 1440 },
  );
});

test('a target never sampled: zero checks, 0 %, no last_state', () => {
  const log = new SampleLog();
  steady(log, T0, T0 + HOUR, () => [ok('a')]);
  const rows = computeUptime(log, [{ id: 'new', name: 'New one' }], { start: T0, end: T0 + HOUR }, MIN);
  assert.deepEqual(rows.find((r) => r.id === 'new'), {
    id: 'new', name: 'New one', uptime_percent: 0, total_checks: 0, passing: 0, failing: 0, missing_slots: 0,
  });
});

test('services: targets plus ids seen in the window, one row per id, sorted by id; names from targets first', () => {
  const log = new SampleLog();
  log.append(at(T0, ok('zeta', 'Old name'), ok('gone', 'Gone')));
  log.append(at(T0 + HOUR, ok('zeta', 'New name'), ok('Alpha', 'Capital'), ok('beta', 'First')));
  log.append(at(T0 + HOUR + MIN, ok('zeta', 'New name'), ok('beta', 'Second')));
  const rows = computeUptime(log, [{ id: 'zeta', name: 'Configured' }, { id: 'zeta', name: 'Duplicate' }], { start: T0 + 30 * MIN, end: T0 + 2 * HOUR }, MIN);
  assert.deepEqual(rows.map((r) => [r.id, r.name]), [['Alpha', 'Capital'], ['beta', 'First'], ['zeta', 'Configured']]);
});

test('last_state and last_updated: newest sample in the window with a state, in whole seconds', () => {
  const log = new SampleLog();
  log.append(at(T0 + 1_999, { id: 'a', name: 'A', ok: false, state: 'activating' }));
  log.append(at(T0 + MIN + 500, { id: 'a', name: 'A', ok: false, error: 'no state from this peer' }));
  log.append(at(T0 + 10 * MIN, ok('a')));
  const [row] = computeUptime(log, [], { start: T0, end: T0 + 5 * MIN }, MIN);
  assert.equal(row!.last_state, 'activating');
  assert.equal(row!.last_updated, '2026-11-01T00:00:01Z');
  // Two samples. After the newest (at 1 min), those due at 2 and 3 min are more than an interval overdue: missing.
  assert.equal(row!.total_checks, 2 + 2);
});

test('both ends of the window are inclusive', () => {
  const log = new SampleLog();
  for (let k = 0; k <= 10; k++) log.append(at(T0 + k * MIN, ok('a')));
  const [row] = computeUptime(log, [], { start: T0 + 2 * MIN, end: T0 + 5 * MIN }, MIN);
  assert.equal(row!.passing, 4);
  assert.equal(row!.missing_slots, 0);
});

test('uptime percent is rounded to 2 decimals', () => {
  const log = new SampleLog();
  for (let k = 0; k < 3; k++) log.append(at(T0 + k * MIN, k === 0 ? failed('a') : ok('a')));
  const [row] = computeUptime(log, [], { start: T0, end: T0 + 2 * MIN }, MIN);
  assert.equal(row!.uptime_percent, 66.67);
});

test('the sample at the first-seen time counts: one sample, no missing slot', () => {
  const log = new SampleLog();
  log.append(at(T0, ok('a')));
  for (const end of [T0, T0 + MIN, T0 + 2 * MIN - 1]) {
    const [row] = computeUptime(log, [], { start: T0 - DAY, end }, MIN);
    assert.deepEqual([row!.passing, row!.missing_slots, row!.uptime_percent], [1, 0, 100]);
  }
});

test('a slowly drifting or jittery schedule loses no slot', () => {
  const log = new SampleLog();
  let t = T0;
  for (let k = 0; k < 3 * 1440; k++) {
    log.append(at(t, ok('a')));
    t += MIN + 40 + (k % 7) * 300; // 60.04 s to 61.84 s apart
  }
  for (const end of [t - MIN, t - 30_000, t + 30_000]) {
    const [row] = computeUptime(log, [], { start: end - DAY, end }, MIN);
    assert.equal(row!.missing_slots, 0);
  }
});

test('samples without the target after it was seen count as missing (removed from the config for an hour)', () => {
  const log = new SampleLog();
  steady(log, T0, T0 + 5 * HOUR, (t) => (t >= T0 + 2 * HOUR && t < T0 + 3 * HOUR ? [ok('a')] : [ok('a'), ok('b')]));
  const end = T0 + 5 * HOUR - MIN;
  const rows = computeUptime(log, [], { start: T0, end }, MIN);
  assert.deepEqual(rows.map((r) => [r.id, r.missing_slots]), [['a', 0], ['b', 60]]);
});
