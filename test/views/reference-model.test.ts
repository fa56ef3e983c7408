/**
 * The fast views (block summaries, binary search, interned results) against a
 * naive model written straight from the rules, on random logs: changing
 * target sets, duplicate ids, out-of-order samples, windows at every phase.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampleLog } from '../../src/history/sample-log.js';
import type { CheckResult, StatusEntry, TimelineDetail, TimelinePoint } from '../../src/types.js';
import { scanRange } from '../../src/views/range-scan.js';
import { serviceTimelines } from '../../src/views/timeline.js';
import { computeUptime } from '../../src/views/uptime.js';

const MIN = 60_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STATES: Array<[boolean, string | undefined, string | undefined]> = [
  [true, 'active', undefined],
  [false, 'failed', 'failed'],
  [false, 'inactive', 'inactive'],
  [false, 'activating', undefined],
  [false, 'unknown', 'signal: killed'],
  [false, undefined, 'exec failed'],
  [false, 'missing', undefined],
  [true, 'reloading', undefined],
  [false, 'weird-state', 'x'],
  [false, '', undefined],
];

function randomLog(seed: number): { entries: StatusEntry[]; log: SampleLog } {
  const r = rng(seed);
  const ids = ['a', 'b', 'c', 'd', 'E'];
  const entries: StatusEntry[] = [];
  let t = Date.parse('2026-11-01T00:00:00Z');
  // Long enough for buckets to span whole 32-sample blocks.
  const count = 300 + Math.floor(r() * 20000);
  let present = ids.filter(() => r() < 0.7);
  for (let k = 0; k < count; k++) {
    if (r() < 0.03) present = ids.filter(() => r() < 0.7);
    if (r() < 0.02) t += Math.floor(r() * 30) * MIN; // daemon stopped
    const checks: CheckResult[] = [];
    for (const id of present) {
      const [ok, state, error] = STATES[Math.floor(r() * (r() < 0.5 ? 1 : STATES.length))]!;
      const c: CheckResult = { id, name: `Name ${id}`, ok };
      if (state !== undefined) c.state = state;
      if (error !== undefined) c.error = error;
      checks.push(c);
      if (id === 'b' && r() < 0.05) checks.push({ ...c, ok: !ok }); // a duplicate id
    }
    const jitter = Math.floor(r() * 3000);
    // Now and then a sample stamped earlier than the previous one (clock went back).
    const stamp = r() < 0.02 ? t - Math.floor(r() * 10) * MIN : t + jitter;
    entries.push({ timestamp: new Date(stamp).toISOString(), checks });
    t += MIN;
  }
  const log = SampleLog.fromEntries(entries);
  // Prune by an arbitrary number of samples (block boundaries must survive), then keep appending.
  const cutoff = Date.parse(entries[Math.floor(r() * entries.length * 0.3)]!.timestamp) + Math.floor(r() * 3) - 1;
  log.pruneBefore(cutoff);
  const kept = entries.filter((e) => Date.parse(e.timestamp) >= cutoff);
  for (let k = 0; k < 200; k++) {
    const e: StatusEntry = { timestamp: new Date(t + k * MIN).toISOString(), checks: present.map((id) => ({ id, name: `Name ${id}`, ok: r() < 0.8, state: r() < 0.5 ? 'failed' : 'active' })) };
    kept.push(e);
    log.append(e);
  }
  return { entries: kept, log };
}

interface NaiveSample {
  t: number;
  c: CheckResult;
}

function samplesOf(entries: StatusEntry[], start: number, end: number): Map<string, NaiveSample[]> {
  const sorted = entries
    .map((e, order) => ({ e, order, t: Date.parse(e.timestamp) }))
    .sort((x, y) => x.t - y.t || x.order - y.order);
  const out = new Map<string, NaiveSample[]>();
  for (const { e, t } of sorted) {
    if (t < start || t > end) continue;
    for (const c of e.checks) {
      const list = out.get(c.id) ?? [];
      list.push({ t, c });
      out.set(c.id, list);
    }
  }
  return out;
}

function naiveClass(c: CheckResult): 'error' | 'success' | 'missing' | 'warning' {
  const s = (c.state ?? '').toLowerCase();
  const err = c.error ?? '';
  if (!c.ok && (['inactive', 'failed', 'degraded'].includes(s) || (s === '' && err !== ''))) return 'error';
  if (c.ok || s === 'active' || s === 'running') return 'success';
  if (s === 'missing') return 'missing';
  if (['activating', 'deactivating', 'reloading', 'maintenance'].includes(s)) return 'warning';
  if (s === '' || s === 'unknown') return 'missing';
  return 'error';
}

function naiveTimeline(samples: NaiveSample[], start: number, end: number): TimelinePoint[] {
  const width = Math.floor((end - start) / 80);
  const out: TimelinePoint[] = [];
  const buckets: NaiveSample[][] = Array.from({ length: 80 }, () => []);
  for (const s of samples) {
    if (s.t < start || s.t >= end) continue;
    buckets[Math.min(79, Math.floor((s.t - start) / width))]!.push(s);
  }
  for (let b = 0; b < 80; b++) {
    const bs = start + b * width;
    const be = b === 79 ? end : bs + width;
    const inBucket = buckets[b]!;
    const classes = new Set(inBucket.map((s) => naiveClass(s.c)));
    const details: TimelineDetail[] = inBucket
      .filter((s) => ['error', 'warning'].includes(naiveClass(s.c)))
      .slice(0, 4)
      .map((s) => ({
        timestamp: new Date(s.t).toISOString(),
        ...(s.c.state ? { state: s.c.state } : {}),
        ...(s.c.error ? { error: s.c.error } : {}),
      }));
    const cls = classes.has('error') ? 'state-error' : classes.has('missing') || classes.size === 0 ? 'state-missing' : classes.has('warning') ? 'state-warning' : 'state-success';
    const label = { 'state-error': 'Unavailable', 'state-missing': 'No data', 'state-warning': 'Transitioning', 'state-success': 'Operational' }[cls];
    out.push({ className: cls, label, start: new Date(bs).toISOString(), end: new Date(be).toISOString(), ...(details.length > 0 ? { details } : {}) });
  }
  return out;
}

test('uptime counts, last state and timelines match a naive model on random logs', () => {
  for (let seed = 1; seed <= 16; seed++) {
    const { entries, log } = randomLog(seed);
    const first = log.firstTime()!;
    const last = log.lastTime()!;
    const r = rng(seed * 7919);
    for (let w = 0; w < 6; w++) {
      // The first windows start at the oldest sample, inside the block that pruning cut in part.
      const start = w < 2 ? first - w * MIN : first + Math.floor(r() * (last - first) * 0.7) - 5 * MIN;
      const end = w < 2 ? first + Math.floor(r() * 200 * MIN) : start + Math.floor(r() * (last - start + 10 * MIN));
      const range = { start, end };
      const scan = scanRange(log, range);
      const naive = samplesOf(entries, start, end);

      const rows = computeUptime(log, [], range, MIN, scan);
      assert.deepEqual(rows.map((x) => x.id), [...naive.keys()].sort(), `seed ${seed}`);
      for (const row of rows) {
        const s = naive.get(row.id)!;
        const passing = s.filter((x) => x.c.ok).length;
        assert.equal(row.passing, passing, `seed ${seed} ${row.id}`);
        assert.equal(row.failing - row.missing_slots, s.length - passing, `seed ${seed} ${row.id}`);
        const withState = s.filter((x) => (x.c.state ?? '') !== '');
        const newest = withState[withState.length - 1];
        assert.equal(row.last_state, newest?.c.state, `seed ${seed} ${row.id}`);
        assert.equal(row.last_updated, newest === undefined ? undefined : `${new Date(newest.t).toISOString().slice(0, 19)}Z`);
      }

      const timelines = serviceTimelines(log, [], range, scan);
      for (const tl of timelines) {
        if (end <= start) break;
        assert.deepEqual(tl.timeline, naiveTimeline(naive.get(tl.service_id) ?? [], start, end), `seed ${seed} ${tl.service_id}`);
      }
    }
  }
});
