/**
 * One sweep = one stored sample; state changes are logged one line per unit,
 * and summarised by state when many units change at once (systemd going away
 * must not write 500 lines in the same millisecond).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANGES_LOGGED_ONE_BY_ONE, createSweep } from '../../src/checks/sweep.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { CheckResult, StatusEntry } from '../../src/types.js';

const targets = (n: number): TargetConfig[] =>
  Array.from({ length: n }, (_, i) => ({ id: `u${i}`, name: `Unit ${i}`, service: `u${i}.service`, timeout_seconds: 15, use_sudo: false }));

function harness(n: number) {
  const lines: string[] = [];
  const stored: StatusEntry[] = [];
  let answer: (t: TargetConfig) => CheckResult = (t) => ({ id: t.id, name: t.name, ok: true, state: 'active' });
  const sweep = createSweep({
    targets: targets(n),
    checker: { checkTargets: async (ts) => ts.map((t) => answer(t)) },
    sink: { appendStatus: async (e) => (stored.push(e), { ok: true }) },
    log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
    now: () => Date.parse('2026-12-04T10:00:00Z'),
  });
  return { lines, stored, sweep, set: (f: typeof answer) => (answer = f) };
}

test('a few changes are logged one line per unit, and an unchanged unit not at all', async () => {
  const h = harness(3);
  await h.sweep();
  assert.deepEqual(h.lines, ['u0 (Unit 0): active', 'u1 (Unit 1): active', 'u2 (Unit 2): active']);
  h.lines.length = 0;
  h.set((t) => (t.id === 'u1' ? { id: t.id, name: t.name, ok: false, state: 'failed', error: 'failed' } : { id: t.id, name: t.name, ok: true, state: 'active' }));
  await h.sweep();
  assert.deepEqual(h.lines, ['u1 (Unit 1): active -> failed']);
  assert.equal(h.stored.length, 2);
  assert.equal(h.stored[1]?.timestamp, '2026-12-04T10:00:00.000Z');
});

test('500 units changing in one sweep give a handful of lines, with the count per new state', async () => {
  const h = harness(500);
  await h.sweep();
  h.lines.length = 0;
  h.set((t) => ({ id: t.id, name: t.name, ok: false, state: 'unknown', error: 'timed out after 15s' }));
  await h.sweep();
  assert.ok(h.lines.length < CHANGES_LOGGED_ONE_BY_ONE, `${h.lines.length} lines`);
  assert.equal(h.lines.at(-1), '500 units changed state in this sweep (495 more not listed): now 500 unknown (timed out after 15s)');
  assert.equal(h.stored.at(-1)?.checks.length, 500, 'every unit is still stored');
});
