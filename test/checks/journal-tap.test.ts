import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJournalTap, withJournal } from '../../src/checks/journal-tap.js';
import type { CheckTargetsOptions } from '../../src/checks/pool.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { CheckResult } from '../../src/types.js';

const targets: TargetConfig[] = [
  { id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 5, use_sudo: false },
  { id: 'db', name: 'DB', service: 'db.service', timeout_seconds: 5, use_sudo: false },
];

function fakePool(results: CheckResult[]) {
  const asked: (CheckTargetsOptions | undefined)[] = [];
  return {
    asked,
    checkTargets: async (_t: readonly TargetConfig[], opts?: CheckTargetsOptions) => {
      asked.push(opts);
      return results;
    },
  };
}

test('journal lines are taken off the results (what the history stores) and kept for the status', async () => {
  const pool = fakePool([
    { id: 'web', name: 'Web', ok: true, state: 'active' },
    { id: 'db', name: 'DB', ok: false, state: 'failed', error: 'failed', journal: ['line 1', 'line 2'] },
  ]);
  const tap = createJournalTap(pool, 2);
  const stored = await tap.checkTargets(targets);
  assert.deepEqual(pool.asked, [{ journalLines: 2 }]);
  assert.ok(stored.every((c) => !('journal' in c) && !('journal_error' in c)), 'nothing of the journal reaches the history');
  assert.deepEqual([...tap.latest()], [['db', { journal: ['line 1', 'line 2'] }]]);

  const shown = withJournal({ timestamp: '2026-11-28T10:00:00.000Z', checks: stored }, tap.latest());
  assert.deepEqual(shown.checks[1]?.journal, ['line 1', 'line 2']);
  assert.equal(shown.checks[0]?.journal, undefined);
  assert.equal(stored[1]?.journal, undefined, 'the stored entry is not changed');
});

test('the next sweep replaces the lines: a unit that recovered shows none', async () => {
  let round = 0;
  const tap = createJournalTap({
    checkTargets: async () => (round++ === 0
      ? [{ id: 'db', name: 'DB', ok: false, state: 'failed', journal_error: 'journalctl not found in PATH' }]
      : [{ id: 'db', name: 'DB', ok: true, state: 'active' }]),
  }, 5);
  await tap.checkTargets(targets);
  assert.deepEqual(tap.latest().get('db'), { journal_error: 'journalctl not found in PATH' });
  await tap.checkTargets(targets);
  assert.equal(tap.latest().size, 0);
});

test('journal_lines 0 asks the pool for nothing extra', async () => {
  const pool = fakePool([]);
  await createJournalTap(pool, 0).checkTargets(targets);
  assert.deepEqual(pool.asked, [{}]);
});
