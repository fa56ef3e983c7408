import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLifecycle, must, StartError } from '../src/lifecycle.js';

test('closes what was opened newest first; a failing step is logged and the others still close', async () => {
  const errors: string[] = [];
  const life = createLifecycle({ info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) });
  const closed: string[] = [];
  life.defer('the lock', () => void closed.push('lock'));
  life.defer('the history', async () => {
    closed.push('history');
    throw new Error('disk gone');
  });
  life.defer('the server', async () => void closed.push('server'));
  await life.closeAll();
  assert.deepEqual(closed, ['server', 'history', 'lock']);
  assert.deepEqual(errors, ['closing the history failed: disk gone']);
  await life.closeAll();
  assert.deepEqual(closed, ['server', 'history', 'lock'], 'each step runs once');
});

test('must() turns a failed step into a StartError naming where', () => {
  assert.equal(must({ ok: true, value: 3 }, 'x'), 3);
  assert.throws(() => must({ ok: false, error: 'in use by another JobMonitor (pid 7)' }, 'data directory /d'),
    (e: unknown) => e instanceof StartError && e.message === 'data directory /d: in use by another JobMonitor (pid 7)');
});
