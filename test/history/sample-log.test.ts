import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SampleLog } from '../../src/history/sample-log.js';
import type { CheckResult, StatusEntry } from '../../src/types.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-28T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number, ...checks: CheckResult[]): StatusEntry => ({ timestamp: iso(ms), checks });
const reference = (): StatusEntry[] =>
  JSON.parse(readFileSync(new URL('../../../test/fixtures/history/node-a/status_history.json', import.meta.url), 'utf8')) as StatusEntry[];

/** The entry as we give it back: the same fields, the timestamp at millisecond precision. */
const asStored = (e: StatusEntry): StatusEntry => ({ ...e, timestamp: iso(Date.parse(e.timestamp)) });

test('entries come back in the wire shape: same fields and order, error omitted where it was absent', () => {
  const input = reference();
  const log = SampleLog.fromEntries(input);
  const out = log.entries(-Infinity, Infinity);
  assert.deepEqual(out, input.map(asStored));
  assert.equal(JSON.stringify(out), JSON.stringify(input.map(asStored)));
  assert.equal('error' in out[0]!.checks[0]!, false);
  assert.equal(out[0]!.timestamp, '2026-11-28T10:35:47.001Z');
});

test('entryJson is the JSON of entryAt, without building objects', () => {
  const log = SampleLog.fromEntries([
    ...reference(),
    at(T0 + 3 * MIN, { id: 'q"uote', name: 'Ünïcode \n name', ok: false, state: '', error: '', sub_state: 'dead', result: 'exit-code' }),
  ]);
  for (let i = 0; i < log.length; i++) assert.equal(log.entryJson(i), JSON.stringify(log.entryAt(i)));
  const lines = [...log.entriesJson(-Infinity, Infinity, 2)];
  assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), log.entries(-Infinity, Infinity, 2));
});

test('sub_state and result are kept per sample; an empty string stays distinct from an absent field', () => {
  const checks: CheckResult[] = [
    { id: 'a', name: 'A', ok: true, state: 'active', sub_state: 'running', result: 'success' },
    { id: 'b', name: 'B', ok: false, state: '', error: '' },
    { id: 'c', name: 'C', ok: false },
  ];
  const log = SampleLog.fromEntries([at(T0, ...checks)]);
  assert.deepEqual(log.entries(T0, T0)[0]!.checks, checks);
});

test('since, restarts and duration_ms are kept for the latest sample only', () => {
  const log = new SampleLog();
  log.append(at(T0, { id: 'a', name: 'A', ok: true, state: 'active', since: iso(T0 - MIN), restarts: 2, duration_ms: 14 }));
  log.append(at(T0 + MIN, { id: 'a', name: 'A', ok: true, state: 'active', since: iso(T0 - MIN), restarts: 3, duration_ms: 12 }));
  assert.deepEqual(log.latest()!.checks[0], { id: 'a', name: 'A', ok: true, state: 'active', since: iso(T0 - MIN), restarts: 3, duration_ms: 12 });
  assert.deepEqual(log.entries(T0, T0)[0]!.checks[0], { id: 'a', name: 'A', ok: true, state: 'active' });
});

test('the latest sample is a copy: changing the caller\'s object later does not change history', () => {
  const log = new SampleLog();
  const entry = at(T0, { id: 'a', name: 'A', ok: true });
  log.append(entry);
  entry.checks[0]!.ok = false;
  assert.equal(log.latest()!.checks[0]!.ok, true);
  assert.equal(log.entries(T0, T0)[0]!.checks[0]!.ok, true);
});

test('an entry older than the newest (clock went back) is inserted in time order; latest is the one appended last', () => {
  const log = new SampleLog();
  log.append(at(T0, { id: 'a', name: 'A', ok: true }));
  log.append(at(T0 + 2 * MIN, { id: 'a', name: 'A', ok: true }));
  log.append(at(T0 + MIN, { id: 'b', name: 'B', ok: false, state: 'failed' }));
  log.append(at(T0 - MIN, { id: 'c', name: 'C', ok: true }));
  assert.deepEqual(log.entries(-Infinity, Infinity).map((e) => [Date.parse(e.timestamp) - T0, e.checks[0]!.id]), [
    [-MIN, 'c'], [0, 'a'], [MIN, 'b'], [2 * MIN, 'a'],
  ]);
  // What the node checked last is its current state, whatever the clock said (an NTP step back must not freeze the status).
  assert.equal(log.latest()!.timestamp, iso(T0 - MIN));
  assert.equal(log.latest()!.checks[0]!.id, 'c');
  assert.equal(log.firstSeen('c'), T0 - MIN);
  assert.equal(log.firstSeen('b'), T0 + MIN);
});

test('equal timestamps keep their arrival order', () => {
  const log = new SampleLog();
  for (const id of ['x', 'y', 'z']) log.append(at(T0, { id, name: id, ok: true }));
  log.append(at(T0 - 1, { id: 'w', name: 'w', ok: true }));
  log.append(at(T0, { id: 'late', name: 'late', ok: true }));
  assert.deepEqual(log.entries(-Infinity, Infinity).map((e) => e.checks[0]!.id), ['w', 'x', 'y', 'z', 'late']);
  assert.equal(log.latest()!.checks[0]!.id, 'late');
});

test('an entry without a usable timestamp is refused and changes nothing', () => {
  const log = SampleLog.fromEntries(reference());
  for (const timestamp of ['garbage', '', '0001-01-01T00:00:00Z']) {
    assert.equal(log.append({ timestamp, checks: [] }), false);
  }
  assert.equal(log.append({ timestamp: iso(T0), checks: [null as unknown as CheckResult] }), false);
  assert.equal(log.length, 3);
});

test('entries(from, to, limit): both ends inclusive, the newest `limit`', () => {
  const log = new SampleLog();
  for (let k = 0; k < 10; k++) log.append(at(T0 + k * MIN, { id: 'a', name: 'A', ok: true }));
  const times = (es: StatusEntry[]) => es.map((e) => (Date.parse(e.timestamp) - T0) / MIN);
  assert.deepEqual(times(log.entries(T0 + 2 * MIN, T0 + 5 * MIN)), [2, 3, 4, 5]);
  assert.deepEqual(times(log.entries(T0 + 2 * MIN, T0 + 5 * MIN, 2)), [4, 5]);
  assert.deepEqual(times(log.entries(T0 + 2 * MIN, T0 + 5 * MIN, 0)), []);
  assert.deepEqual(times(log.entries(T0 + 6 * MIN, T0 + 5 * MIN)), []);
});

test('firstSeen is the first sample holding the target; targets can come and go', () => {
  const log = new SampleLog();
  log.append(at(T0, { id: 'a', name: 'A', ok: true }));
  log.append(at(T0 + MIN, { id: 'a', name: 'A', ok: true }, { id: 'b', name: 'B', ok: true }));
  log.append(at(T0 + 2 * MIN, { id: 'b', name: 'B renamed', ok: true }));
  assert.equal(log.firstSeen('a'), T0);
  assert.equal(log.firstSeen('b'), T0 + MIN);
  assert.equal(log.firstSeen('never'), undefined);
  assert.deepEqual(log.entries(-Infinity, Infinity).map((e) => e.checks.map((c) => `${c.id}:${c.name}`)), [['a:A'], ['a:A', 'b:B'], ['b:B renamed']]);
});

test('pruneBefore drops old samples and forgets targets only they had', () => {
  const log = new SampleLog();
  log.append(at(T0, { id: 'old', name: 'Old', ok: false, state: 'failed', error: 'boom' }));
  for (let k = 1; k <= 100; k++) log.append(at(T0 + k * MIN, { id: 'a', name: 'A', ok: k % 2 === 0 }, { id: 'b', name: 'B', ok: true }));
  const before = log.entries(T0 + 50 * MIN, Infinity);
  assert.equal(log.pruneBefore(T0 + 50 * MIN), 50);
  assert.equal(log.length, 51);
  assert.equal(log.firstTime(), T0 + 50 * MIN);
  assert.equal(log.firstSeen('old'), undefined);
  assert.equal(log.firstSeen('a'), T0 + 50 * MIN);
  assert.deepEqual(log.entries(-Infinity, Infinity), before);
  log.append(at(T0 + 101 * MIN, { id: 'a', name: 'A', ok: true }));
  assert.equal(log.length, 52);
  assert.equal(log.pruneBefore(T0 + 1000 * MIN), 52);
  assert.equal(log.latest(), undefined);
  assert.deepEqual(log.entries(-Infinity, Infinity), []);
});

test('more than 65,535 distinct results (varying error texts) still round-trip; pruning them away shrinks the tables', () => {
  const log = new SampleLog();
  log.append(at(T0 - MIN, { id: 'a', name: 'A', ok: true }));
  log.append(at(T0, { id: 'a', name: 'A', ok: true }));
  log.pruneBefore(T0);
  const n = 70_000;
  for (let k = 1; k <= n; k++) log.append(at(T0 + k * 1000, { id: 'b', name: 'B', ok: false, state: 'failed', error: `error #${k}` }));
  assert.ok(log.scanView().codes instanceof Uint32Array);
  assert.equal(log.entries(T0 + n * 1000, Infinity)[0]!.checks[0]!.error, `error #${n}`);
  assert.equal(log.entries(T0 + 5 * 1000, T0 + 5 * 1000)[0]!.checks[0]!.error, 'error #5');
  // The tables grew far beyond their size at the last prune: this prune forgets what is no longer used.
  log.pruneBefore(T0 + (n - 9) * 1000);
  assert.ok(log.scanView().codes instanceof Uint8Array);
  assert.equal(log.scanView().results.length, 10);
  assert.deepEqual(log.scanView().ids, ['b']);
  assert.equal(log.firstSeen('a'), undefined);
  assert.equal(log.firstSeen('b'), T0 + (n - 9) * 1000);
  assert.deepEqual(log.entries(-Infinity, Infinity).map((e) => e.checks[0]!.error), Array.from({ length: 10 }, (_, i) => `error #${n - 9 + i}`));
  log.append(at(T0 + (n + 1) * 1000, { id: 'a', name: 'A', ok: true }));
  assert.equal(log.firstSeen('a'), T0 + (n + 1) * 1000);
});

test('codes take one byte each up to 256 distinct results, then widen without changing any answer; segments keep 16-bit codes', () => {
  const log = new SampleLog();
  const sample = (k: number) => at(T0 + k * 1000, { id: 'a', name: 'A', ok: true }, { id: 'b', name: 'B', ok: false, state: 'failed', error: `error #${k % 300}` });
  for (let k = 0; k < 255; k++) log.append(sample(k)); // 255 errors and one ok: 256 results
  assert.ok(log.scanView().codes instanceof Uint8Array);
  const narrow = log.entries(-Infinity, Infinity);
  const cols = log.toColumns();
  assert.ok(cols.codes instanceof Uint16Array);
  for (let k = 255; k < 600; k++) log.append(sample(k));
  assert.ok(log.scanView().codes instanceof Uint16Array);
  assert.deepEqual(log.entries(-Infinity, T0 + 254 * 1000), narrow);
  assert.deepEqual(log.entries(-Infinity, Infinity).map((e) => e.checks[1]!.error), Array.from({ length: 600 }, (_, k) => `error #${k % 300}`));
  // A segment with more than 256 results widens a narrow log before its codes are stored.
  const other = new SampleLog();
  other.append(at(T0 - 1000, { id: 'a', name: 'A', ok: true }));
  other.appendColumns(log.toColumns());
  assert.ok(other.scanView().codes instanceof Uint16Array);
  assert.deepEqual(other.entries(T0, Infinity), log.entries(-Infinity, Infinity));
});

test('toColumns / appendColumns carry every sample and the latest in full', () => {
  const src = new SampleLog();
  for (const e of reference()) src.append(e);
  src.append(at(T0 + 100 * MIN, { id: 'ok', name: 'OK Service', ok: true, state: 'active', duration_ms: 5 }));
  const dst = new SampleLog();
  dst.append(at(T0 - 100 * MIN, { id: 'x', name: 'X', ok: true }));
  dst.appendColumns(src.toColumns());
  assert.deepEqual(dst.entries(-Infinity, Infinity), [...SampleLog.fromEntries([at(T0 - 100 * MIN, { id: 'x', name: 'X', ok: true })]).entries(-Infinity, Infinity), ...src.entries(-Infinity, Infinity)]);
  assert.equal(dst.latest()!.checks[0]!.duration_ms, 5);
  // A part of the log exports only what it uses.
  const part = src.toColumns(T0 + 100 * MIN, Infinity);
  assert.deepEqual([part.times.length, part.ids, part.results.length], [1, ['ok'], 1]);
});

test('closed days loaded out of order (older after newer, a day between two) give the same history, uptime and timelines as in order', async () => {
  const { scanRange } = await import('../../src/views/range-scan.js');
  const DAY = 24 * 60 * MIN;
  // Three days at 10-minute samples; unit b fails every 7th sample, unit c only exists on day 2.
  const day = (d: number): SampleLog => {
    const log = new SampleLog();
    for (let t = T0 + d * DAY; t < T0 + (d + 1) * DAY; t += 10 * MIN) {
      const i = (t - T0) / (10 * MIN);
      const checks: CheckResult[] = [
        { id: 'a', name: 'A', ok: true, state: 'active' },
        { id: 'b', name: 'B', ok: i % 7 !== 0, state: i % 7 !== 0 ? 'active' : 'failed' },
      ];
      if (d === 2) checks.push({ id: 'c', name: 'C', ok: true, state: 'active' });
      log.append(at(t, ...checks));
    }
    return log;
  };
  const days = [day(0), day(1), day(2)];
  const load = (order: number[]): SampleLog => {
    const log = new SampleLog();
    for (const d of order) log.appendColumns(days[d]!.toColumns());
    return log;
  };
  /** Then a day of live samples on top, as a running daemon appends them. */
  const live = (log: SampleLog): SampleLog => {
    for (let t = T0 + 3 * DAY; t < T0 + 4 * DAY; t += 10 * MIN) log.append(at(t, { id: 'a', name: 'A', ok: true }, { id: 'b', name: 'B', ok: false, state: 'failed' }));
    return log;
  };
  const inOrder = live(load([0, 1, 2]));
  const summary = (log: SampleLog) => {
    const ids = ['a', 'b', 'c'].map((id) => log.idIndex(id));
    // 60 buckets (about 10 samples each) and 2 (whole blocks of samples summed from the block index).
    return [60, 2].map((points) => {
      const s = scanRange(log, { start: T0 - 10 * MIN, end: T0 + 4 * DAY }, points);
      return ids.map((i) => ({ passing: s.passing[i], count: s.count[i], flags: [...s.flags.subarray(i * points, (i + 1) * points)] }));
    });
  };
  for (const order of [[2, 0, 1], [1, 2, 0], [2, 1, 0]]) {
    const log = live(load(order));
    assert.deepEqual(log.entries(-Infinity, Infinity), inOrder.entries(-Infinity, Infinity), `entries, order ${order.join(',')}`);
    assert.deepEqual(['a', 'b', 'c'].map((id) => log.firstSeen(id)), ['a', 'b', 'c'].map((id) => inOrder.firstSeen(id)));
    assert.deepEqual(summary(log), summary(inOrder), `uptime and timeline, order ${order.join(',')}`);
  }
  // Rows spread among the held ones (two interleaved halves) still land in time order.
  const even = new SampleLog();
  const odd = new SampleLog();
  inOrder.entries(-Infinity, Infinity).forEach((e, i) => (i % 2 === 0 ? even : odd).append(e));
  const merged = new SampleLog();
  merged.appendColumns(odd.toColumns());
  merged.appendColumns(even.toColumns());
  assert.equal(merged.entries(-Infinity, Infinity).length, inOrder.entries(-Infinity, Infinity).length);
  assert.deepEqual(merged.entries(-Infinity, Infinity), inOrder.entries(-Infinity, Infinity));
  assert.deepEqual(summary(merged), summary(inOrder));
});
