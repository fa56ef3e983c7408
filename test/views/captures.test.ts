/**
 * The original's captured answers (test/fixtures/history, from
 * shared/reference/go-jobmonitor), rebuilt from the history files it wrote.
 * Timestamps are compared as instants: the original prints nanoseconds, we
 * print milliseconds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import type { ConnectivityStatus, ServiceTimeline, ServiceUptime, StatusEntry, TimelinePoint } from '../../src/types.js';
import { connectivityTimeline, serviceTimelines } from '../../src/views/timeline.js';
import { computeUptime } from '../../src/views/uptime.js';

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/history/${path}`, import.meta.url), 'utf8')) as T;

const NODE_A_TARGETS = [
  { id: 'ok', name: 'OK Service' },
  { id: 'bad', name: 'Bad Service' },
  { id: 'hang', name: 'Hanging Service' },
];
// odd-targets/config.yaml: the second target has neither id nor name.
const ODD_TARGETS = [
  { id: 'weird', name: 'Weird unit name' },
  { id: '', name: '' },
  { id: 'sudo', name: 'Via sudo' },
  { id: 'slow', name: 'Slow (hang, 6s timeout)' },
];

interface Captured {
  range_start: string;
  range_end: string;
}
const rangeOf = (c: Captured) => ({ start: Date.parse(c.range_start), end: Date.parse(c.range_end) });

/** Replaces every RFC 3339 time by its epoch ms, so ns and ms renderings of one instant compare equal. */
function instants(points: TimelinePoint[]): unknown[] {
  return points.map((p) => ({
    ...p,
    start: Date.parse(p.start),
    end: Date.parse(p.end),
    ...(p.details !== undefined ? { details: p.details.map((d) => ({ ...d, timestamp: Date.parse(d.timestamp) })) } : {}),
  }));
}

/** The original's uptime row with its charge for the slots before the node existed taken out. */
function withoutPreHistorySlots(s: ServiceUptime): ServiceUptime {
  const failing = s.failing - s.missing_slots;
  const total = s.passing + failing;
  return {
    ...s,
    missing_slots: 0,
    failing,
    total_checks: total,
    uptime_percent: total > 0 ? Math.round((s.passing / total) * 10000) / 100 : 0,
  };
}

test('node-a uptime: the captured rows, except the 1437 slots before the node existed', () => {
  const log = SampleLog.fromEntries(fixture<StatusEntry[]>('node-a/status_history.json'));
  const captured = fixture<Captured & { services: ServiceUptime[] }>('node-a/node-uptime-24h.json');
  const ours = computeUptime(log, NODE_A_TARGETS, rangeOf(captured), 60_000);
  assert.deepEqual(ours, captured.services.map(withoutPreHistorySlots));
  assert.deepEqual(
    ours.map((s) => [s.id, s.uptime_percent, s.passing, s.failing, s.missing_slots, s.last_state, s.last_updated]),
    [
      ['bad', 0, 0, 3, 0, 'failed', '2026-11-28T10:37:49Z'],
      ['hang', 0, 0, 3, 0, 'unknown', '2026-11-28T10:37:49Z'],
      ['ok', 100, 3, 0, 0, 'active', '2026-11-28T10:37:49Z'],
    ],
  );
});

test('odd-targets uptime: a target without id is listed (id "", name ""), rows sorted by id', () => {
  const log = SampleLog.fromEntries(fixture<StatusEntry[]>('odd-targets/status_history.json'));
  const captured = fixture<Captured & { services: ServiceUptime[] }>('odd-targets/node-uptime-range-24h.json');
  // The capture was taken before the second round: only the first sample is in the window.
  assert.deepEqual(computeUptime(log, ODD_TARGETS, rangeOf(captured), 60_000), captured.services.map(withoutPreHistorySlots));
});

test('node-a service timelines: all 80 buckets of every service as captured', () => {
  const log = SampleLog.fromEntries(fixture<StatusEntry[]>('node-a/status_history.json'));
  const cluster = fixture<Captured & { nodes: Array<{ service_timelines: ServiceTimeline[] }> }>('node-a/cluster-24h.json');
  const captured = cluster.nodes[0]!.service_timelines;
  const ours = serviceTimelines(log, NODE_A_TARGETS, rangeOf(cluster));
  assert.deepEqual(
    ours.map((s) => [s.service_id, s.service_name]),
    captured.map((s) => [s.service_id, s.service_name]),
  );
  for (let i = 0; i < captured.length; i++) {
    assert.equal(ours[i]!.timeline.length, 80);
    assert.deepEqual(instants(ours[i]!.timeline), instants(captured[i]!.timeline), captured[i]!.service_id);
  }
  // The hung check (state "unknown") is "No data", not an error, as in the original.
  assert.equal(ours.find((s) => s.service_id === 'hang')!.timeline[79]!.className, 'state-missing');
});

test('odd-targets service timelines: the target without id is dropped, names sort case-insensitively', () => {
  const log = SampleLog.fromEntries(fixture<StatusEntry[]>('odd-targets/status_history.json'));
  const cluster = fixture<Captured & { nodes: Array<{ service_timelines: ServiceTimeline[] }> }>('odd-targets/cluster-range-24h.json');
  const captured = cluster.nodes[0]!.service_timelines;
  const ours = serviceTimelines(log, ODD_TARGETS, rangeOf(cluster));
  assert.deepEqual(ours.map((s) => s.service_id), ['slow', 'sudo', 'weird']);
  for (let i = 0; i < captured.length; i++) assert.deepEqual(instants(ours[i]!.timeline), instants(captured[i]!.timeline));
});

test('node-a connectivity timeline: last bucket "Unavailable" with the first 4 probes as details', () => {
  const log = ConnectivityLog.fromEntries(fixture<ConnectivityStatus[]>('node-a/connectivity_history.json'));
  const history = fixture<Captured & { connectivity_timeline: TimelinePoint[] }>('node-a/node-history-24h.json');
  assert.deepEqual(instants(connectivityTimeline(log, rangeOf(history))), instants(history.connectivity_timeline));
  const cluster = fixture<Captured & { nodes: Array<{ connectivity_timeline: TimelinePoint[] }> }>('node-a/cluster-24h.json');
  assert.deepEqual(instants(connectivityTimeline(log, rangeOf(cluster))), instants(cluster.nodes[0]!.connectivity_timeline));
});
