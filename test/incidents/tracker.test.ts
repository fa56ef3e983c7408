import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTracker, type Observation, type Thresholds } from '../../src/incidents/tracker.js';
import type { IncidentChange } from '../../src/incidents/types.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;

/** A unit sample `i` minutes after T0: "ok", or a failing state like "failed". */
function unit(i: number, state: string, error?: string): Observation {
  const ok = state === 'active';
  return { kind: 'unit', subject: 'web', name: 'Web server', ok, state, ...(ok ? {} : { error: error ?? `${state} (exit-code)` }), atMs: T0 + i * MIN };
}

/** Feeds a sequence like "xx.x..": x = failed, . = active; returns the changes with the minute they happened. */
function run(pattern: string, thresholds: Thresholds): Array<{ at: number; change: IncidentChange }> {
  const tracker = createTracker({ node: 'n1', thresholds: () => thresholds });
  const out: Array<{ at: number; change: IncidentChange }> = [];
  [...pattern].forEach((ch, i) => {
    for (const change of tracker.observe(unit(i, ch === 'x' ? 'failed' : 'active'))) out.push({ at: i, change });
  });
  return out;
}

const kinds = (changes: Array<{ at: number; change: IncidentChange }>) =>
  changes.filter((c) => c.change.type !== 'update').map((c) => `${c.change.type}@${c.at}`);

describe('incident tracker', () => {
  it('with thresholds 1/1 opens at the first failing sample and closes at the first good one', () => {
    const changes = run('..xxx..', { failure: 1, success: 1 });
    assert.deepEqual(kinds(changes), ['open@2', 'resolve@5']);
    const resolved = changes.find((c) => c.change.type === 'resolve')!.change.incident;
    assert.equal(resolved.id, `unit:web:${T0 + 2 * MIN}`);
    assert.equal(resolved.kind, 'unit');
    assert.equal(resolved.subject, 'web');
    assert.equal(resolved.name, 'Web server');
    assert.equal(resolved.node, 'n1');
    assert.equal(resolved.started_at, new Date(T0 + 2 * MIN).toISOString());
    assert.equal(resolved.ended_at, new Date(T0 + 5 * MIN).toISOString());
    assert.equal(resolved.last_failure_at, new Date(T0 + 4 * MIN).toISOString());
    assert.equal(resolved.samples, 3);
    assert.deepEqual(resolved.states, ['failed']);
  });

  it('with failure_threshold 3 opens only after three failures in a row, dated from the first of them', () => {
    const changes = run('.xx.xxx.', { failure: 3, success: 1 });
    assert.deepEqual(kinds(changes), ['open@6', 'resolve@7']);
    const opened = changes[0]!.change.incident;
    assert.equal(opened.started_at, new Date(T0 + 4 * MIN).toISOString(), 'the outage began at the first failure of the run');
    assert.equal(opened.samples, 3);
    assert.equal(opened.ended_at, undefined);
  });

  it('keeps a flapping unit from opening and closing an incident every sample', () => {
    const flapping = 'x.x.x.x.x.x.';
    assert.deepEqual(kinds(run(flapping, { failure: 1, success: 1 })).length, 12, 'thresholds of 1 follow every flap');
    assert.deepEqual(kinds(run(flapping, { failure: 2, success: 1 })), [], 'never two failures in a row: no incident');
  });

  it('with success_threshold 2 an open incident survives single good samples and closes at the first of two', () => {
    const changes = run('xx.x.x..', { failure: 1, success: 2 });
    assert.deepEqual(kinds(changes), ['open@0', 'resolve@7']);
    const resolved = changes.find((c) => c.change.type === 'resolve')!.change.incident;
    assert.equal(resolved.ended_at, new Date(T0 + 6 * MIN).toISOString(), 'ended when the good run began');
    assert.equal(resolved.samples, 4);
  });

  it('collects the distinct states and the latest distinct errors, bounded', () => {
    const tracker = createTracker({ node: 'n1', thresholds: () => ({ failure: 1, success: 1 }), maxErrors: 3 });
    const changes: IncidentChange[] = [];
    const seq: Array<[string, string]> = [['failed', 'e1'], ['activating', 'e2'], ['failed', 'e3'], ['inactive', 'e4'], ['failed', 'e2']];
    seq.forEach(([state, error], i) => changes.push(...tracker.observe(unit(i, state, error))));
    changes.push(...tracker.observe(unit(9, 'active')));
    const resolved = changes.at(-1)!;
    assert.equal(resolved.type, 'resolve');
    assert.deepEqual(resolved.incident.states, ['failed', 'activating', 'inactive']);
    assert.deepEqual(resolved.incident.errors, ['e3', 'e4', 'e2']);
    assert.equal(resolved.incident.samples, 5);
    // A new state or error while open is reported so it can be saved; a repeat is not.
    assert.deepEqual(changes.map((c) => c.type), ['open', 'update', 'update', 'update', 'update', 'resolve']);
    const again = createTracker({ node: 'n1', thresholds: () => ({ failure: 1, success: 1 }) });
    again.observe(unit(0, 'failed', 'same'));
    assert.deepEqual(again.observe(unit(1, 'failed', 'same')), []);
  });

  it('tracks subjects independently and reads thresholds per subject', () => {
    const tracker = createTracker({
      node: 'n1',
      thresholds: (kind, subject) => (kind === 'unit' && subject === 'db' ? { failure: 2, success: 1 } : { failure: 1, success: 1 }),
    });
    const obs = (subject: string, ok: boolean, i: number): Observation => ({ kind: 'unit', subject, name: subject, ok, state: ok ? 'active' : 'failed', atMs: T0 + i * MIN });
    assert.deepEqual(tracker.observe(obs('web', false, 0)).map((c) => c.type), ['open']);
    assert.deepEqual(tracker.observe(obs('db', false, 0)), []);
    assert.deepEqual(tracker.observe(obs('db', false, 1)).map((c) => c.type), ['open']);
    assert.deepEqual(tracker.observe({ kind: 'probe', subject: 'web', name: 'x', ok: true, atMs: T0 }), [], 'same subject, other kind');
    assert.deepEqual(tracker.openIncidents().map((i) => i.subject).sort(), ['db', 'web']);
  });

  it('keeps a restored open incident open and closes it at the first good sample after a restart', () => {
    const first = createTracker({ node: 'n1', thresholds: () => ({ failure: 1, success: 1 }) });
    first.observe(unit(0, 'failed'));
    const open = first.openIncidents();
    // The daemon restarts; the unit recovered while it was down.
    const second = createTracker({ node: 'n1', thresholds: () => ({ failure: 1, success: 1 }) }, open);
    assert.equal(second.openIncidents().length, 1);
    assert.deepEqual(second.observe(unit(30, 'failed')).map((c) => c.type), [], 'still the same incident: no second open');
    const [closed] = second.observe(unit(31, 'active'));
    assert.equal(closed?.type, 'resolve');
    assert.equal(closed.incident.id, open[0]!.id);
    assert.equal(closed.incident.ended_at, new Date(T0 + 31 * MIN).toISOString());
    assert.equal(closed.incident.samples, 2);
  });

  it('retires open incidents of subjects no longer monitored', () => {
    const tracker = createTracker({ node: 'n1', thresholds: () => ({ failure: 1, success: 1 }) });
    tracker.observe(unit(0, 'failed'));
    tracker.observe({ kind: 'peer', subject: 'b', name: 'B', ok: false, state: 'sync-failed', error: 'connection refused', atMs: T0 });
    const retired = tracker.retire((kind) => kind !== 'unit', T0 + 10 * MIN);
    assert.deepEqual(retired.map((c) => [c.type, c.incident.subject, c.incident.ended_at]), [['resolve', 'web', new Date(T0 + 10 * MIN).toISOString()]]);
    assert.deepEqual(tracker.openIncidents().map((i) => i.kind), ['peer']);
  });
});
