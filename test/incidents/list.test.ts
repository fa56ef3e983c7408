import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listIncidents } from '../../src/incidents/list.js';
import { formatDuration } from '../../src/incidents/duration.js';
import type { StoredIncident } from '../../src/incidents/types.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const H = 3_600_000;

function inc(id: string, startH: number, endH?: number): StoredIncident {
  return {
    id, kind: 'unit', subject: id, name: id, node: 'n1',
    started_at: new Date(NOW - startH * H).toISOString(),
    ...(endH !== undefined ? { ended_at: new Date(NOW - endH * H).toISOString() } : {}),
    last_failure_at: new Date(NOW - (endH ?? 0) * H).toISOString(),
    states: ['failed'], errors: [], samples: 1,
  };
}

describe('listIncidents', () => {
  const all = [inc('old-open', 100), inc('new-open', 1), inc('r1', 5, 4), inc('r2', 3, 2.5), inc('r-2d', 50, 49), inc('r-40d', 1000, 999)];

  it('lists every open incident (even one older than the range), then those resolved in the range, newest first, with durations', () => {
    const list = listIncidents(all, '24h', NOW);
    assert.equal(list.range, '24h');
    assert.equal(list.generated_at, '2026-11-28T12:00:00.000Z');
    assert.equal(list.range_start, '2026-11-27T12:00:00.000Z');
    assert.equal(list.range_end, '2026-11-28T12:00:00.000Z');
    assert.deepEqual(list.open.map((i) => i.id), ['new-open', 'old-open']);
    assert.deepEqual(list.resolved.map((i) => i.id), ['r2', 'r1']);
    assert.equal(list.resolved_total, 2);
    assert.equal(list.open[0]!.duration_seconds, 3600, 'open: up to now');
    assert.equal(list.resolved[0]!.duration_seconds, 1800, 'resolved: up to its end');
  });

  it('30d reaches back 30 days; limit cuts the resolved list but not the total', () => {
    assert.deepEqual(listIncidents(all, '30d', NOW).resolved.map((i) => i.id), ['r2', 'r1', 'r-2d']);
    const limited = listIncidents(all, '30d', NOW, 1);
    assert.deepEqual(limited.resolved.map((i) => i.id), ['r2']);
    assert.equal(limited.resolved_total, 3);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    assert.equal(formatDuration(42), '42 s');
    assert.equal(formatDuration(300), '5 min');
    assert.equal(formatDuration(2 * 3600 + 180), '2 h 3 min');
    assert.equal(formatDuration(3 * 86400 + 4 * 3600 + 59), '3 d 4 h');
    assert.equal(formatDuration(86400), '1 d');
  });
});
