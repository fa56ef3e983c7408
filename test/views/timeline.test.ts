import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import type { CheckResult, ConnectivityStatus } from '../../src/types.js';
import { carryForwardGap } from '../../src/views/connectivity-timeline.js';
import { connectivityTimeline, serviceTimelines } from '../../src/views/timeline.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-27T10:00:00.000Z');
const DAY = 24 * 60 * MIN;
const BUCKET = DAY / 80; // 18 minutes
const iso = (ms: number) => new Date(ms).toISOString();

const check = (id: string, ok: boolean, state?: string, error?: string): CheckResult => ({
  id, name: `Svc ${id}`, ok, ...(state !== undefined ? { state } : {}), ...(error !== undefined ? { error } : {}),
});

function logOf(samples: Array<[number, CheckResult[]]>): SampleLog {
  return SampleLog.fromEntries(samples.map(([t, checks]) => ({ timestamp: iso(t), checks })));
}

const range = { start: T0, end: T0 + DAY };

test('80 buckets of 18 minutes over 24 h, each bucket [start, end), the last ending at the window end', () => {
  const [tl] = serviceTimelines(logOf([]), [{ id: 'a', name: 'A' }], range);
  assert.equal(tl!.timeline.length, 80);
  assert.equal(tl!.timeline[0]!.start, iso(T0));
  assert.equal(tl!.timeline[0]!.end, iso(T0 + BUCKET));
  assert.equal(tl!.timeline[79]!.end, iso(T0 + DAY));
  assert.ok(tl!.timeline.every((p) => p.className === 'state-missing' && p.label === 'No data' && p.details === undefined));
});

test('class priority in a bucket: error > missing > warning > success', () => {
  const b = (k: number) => T0 + k * BUCKET + MIN;
  const log = logOf([
    [b(0), [check('a', true, 'active')]],
    [b(1), [check('a', true, 'active')]],
    [b(1) + MIN, [check('a', false, 'reloading')]],
    [b(2), [check('a', false, 'activating')]],
    [b(2) + MIN, [check('a', false, 'unknown', 'signal: killed')]],
    [b(3), [check('a', false, 'unknown', 'signal: killed')]],
    [b(3) + MIN, [check('a', false, 'failed', 'failed')]],
    [b(4), [check('a', false, '', 'exec: "systemctl": executable file not found in $PATH')]],
    [b(5), [check('a', false, 'missing')]],
    [b(6), [check('a', false, 'exited', 'exited')]],
  ]);
  const tl = serviceTimelines(log, [], range)[0]!.timeline;
  assert.deepEqual(tl.slice(0, 8).map((p) => [p.className, p.label]), [
    ['state-success', 'Operational'],
    ['state-warning', 'Transitioning'],
    ['state-missing', 'No data'],
    ['state-error', 'Unavailable'],
    ['state-error', 'Unavailable'],
    ['state-missing', 'No data'],
    ['state-error', 'Unavailable'],
    ['state-missing', 'No data'],
  ]);
  // As the original: a "No data" bucket still lists its warning samples.
  assert.deepEqual(tl[2]!.details, [{ timestamp: iso(b(2)), state: 'activating' }]);
  assert.deepEqual(tl[3]!.details, [{ timestamp: iso(b(3) + MIN), state: 'failed', error: 'failed' }]);
  assert.deepEqual(tl[4]!.details, [{ timestamp: iso(b(4)), error: 'exec: "systemctl": executable file not found in $PATH' }]);
  assert.equal(tl[0]!.details, undefined);
  assert.equal(tl[5]!.details, undefined);
});

test('at most 4 details, the oldest error and warning samples of the bucket', () => {
  const samples: Array<[number, CheckResult[]]> = [];
  for (let k = 0; k < 10; k++) samples.push([T0 + k * MIN, [check('a', false, k % 2 === 0 ? 'failed' : 'deactivating', k % 2 === 0 ? 'failed' : undefined)]]);
  const tl = serviceTimelines(logOf(samples), [], range)[0]!.timeline;
  assert.deepEqual(tl[0]!.details!.map((d) => [d.timestamp, d.state]), [
    [iso(T0), 'failed'], [iso(T0 + MIN), 'deactivating'], [iso(T0 + 2 * MIN), 'failed'], [iso(T0 + 3 * MIN), 'deactivating'],
  ]);
});

test('a sample at a bucket boundary belongs to the later bucket; one at the window end to none', () => {
  const log = logOf([
    [T0 + BUCKET, [check('a', false, 'failed', 'failed')]],
    [T0 + DAY, [check('a', false, 'failed', 'failed')]],
  ]);
  const tl = serviceTimelines(log, [], range)[0]!.timeline;
  assert.equal(tl[0]!.className, 'state-missing');
  assert.equal(tl[1]!.className, 'state-error');
  assert.equal(tl[79]!.className, 'state-missing');
});

test('services: targets, ids sampled in the window and in the latest sample; empty ids dropped; sorted by lower-cased name', () => {
  const log = logOf([
    [T0 + MIN, [{ id: 'x', name: 'beta', ok: true }, { id: '', name: 'nameless', ok: true }]],
    [T0 + DAY + MIN, [{ id: 'late', name: 'Zulu', ok: true }]],
  ]);
  const targets = [{ id: 'y', name: 'ALPHA' }, { id: 'noname', name: '' }, { id: '', name: 'no id' }];
  const tls = serviceTimelines(log, targets, range);
  assert.deepEqual(tls.map((t) => [t.service_id, t.service_name]), [['y', 'ALPHA'], ['x', 'beta'], ['noname', 'noname'], ['late', 'Zulu']]);
});

const probe = (t: number, ok: boolean, error?: string): ConnectivityStatus => ({
  target: '127.0.0.1:53', ok, latency_ms: ok ? 3 : 0, ...(error !== undefined ? { error } : {}), checked_at: iso(t),
});

test('connectivity: a bucket shows its last probe, with the first 4 probes as details', () => {
  const log = ConnectivityLog.fromEntries([
    probe(T0 + MIN, false, 'refused'),
    probe(T0 + 2 * MIN, true),
    probe(T0 + 3 * MIN, true),
    probe(T0 + 4 * MIN, true),
    probe(T0 + 5 * MIN, false),
  ]);
  const [first] = connectivityTimeline(log, range);
  assert.deepEqual(first, {
    className: 'state-warning',
    label: 'Unknown',
    start: iso(T0),
    end: iso(T0 + BUCKET),
    details: [
      { timestamp: iso(T0 + MIN), state: 'offline', error: 'refused' },
      { timestamp: iso(T0 + 2 * MIN), state: 'online' },
      { timestamp: iso(T0 + 3 * MIN), state: 'online' },
      { timestamp: iso(T0 + 4 * MIN), state: 'online' },
    ],
  });
});

test('connectivity: a probe exactly at a bucket end belongs to that bucket', () => {
  const log = ConnectivityLog.fromEntries([probe(T0 + BUCKET, true)]);
  const tl = connectivityTimeline(log, range);
  assert.equal(tl[0]!.className, 'state-success');
  assert.equal(tl[0]!.details![0]!.timestamp, iso(T0 + BUCKET));
});

test('connectivity: empty buckets carry the last state within twice the median probe interval, then "No data"', () => {
  const probes: ConnectivityStatus[] = [];
  // Every 10 minutes for 3 hours before the window and 1 hour into it: the gap is 20 minutes.
  for (let t = T0 - 180 * MIN; t <= T0 + 60 * MIN; t += 10 * MIN) probes.push(probe(t, true));
  const log = ConnectivityLog.fromEntries(probes);
  assert.equal(carryForwardGap(log.scanView().times, 0, log.length), 20 * MIN);
  const tl = connectivityTimeline(log, range);
  // Last probe at 60 min. Bucket 3 (54-72 min) holds it; bucket 4 starts at 72 min (12 min later): carried;
  // bucket 5 starts at 90 min (30 min later): no data.
  assert.equal(tl[3]!.className, 'state-success');
  assert.deepEqual(tl[4]!.details, [{ timestamp: iso(T0 + 4 * BUCKET), state: 'online' }]);
  assert.equal(tl[4]!.className, 'state-success');
  assert.equal(tl[5]!.className, 'state-missing');
  assert.equal(tl[5]!.details, undefined);
});

test('connectivity: the probe before the window carries into the first bucket', () => {
  const log = ConnectivityLog.fromEntries([probe(T0 - 30_000, false, 'timeout'), probe(T0 - 20_000, false, 'timeout')]);
  const tl = connectivityTimeline(log, range);
  assert.equal(tl[0]!.className, 'state-error');
  assert.deepEqual(tl[0]!.details, [{ timestamp: iso(T0), state: 'offline', error: 'timeout' }]);
  assert.equal(tl[1]!.className, 'state-missing');
});

test('carryForwardGap: 2 x median, within 1 minute and 2 hours; 5 minutes with fewer than 2 probes', () => {
  const times = (...mins: number[]) => Float64Array.from(mins, (m) => m * MIN);
  assert.equal(carryForwardGap(times(0), 0, 1), 5 * MIN);
  assert.equal(carryForwardGap(times(0, 0.1, 0.2, 0.3), 0, 4), MIN);
  assert.equal(carryForwardGap(times(0, 100, 300, 500), 0, 4), 120 * MIN);
  assert.equal(carryForwardGap(times(0, 3, 6, 16, 19), 0, 5), 6 * MIN);
});
