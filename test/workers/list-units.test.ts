import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listCommand, listStates, parseListOutput } from '../../workers/list-units.js';
import type { RunOutcome } from '../../workers/exec.js';

const exit = (stdout: string, code = 0, stderr = ''): RunOutcome => ({ kind: 'exit', code, signal: null, stdout, stderr, durationMs: 4 });

test('reads unit, load, active and sub state, with or without a job column', () => {
  const rows = parseListOutput(
    [
      'jm-activating.service   loaded activating   start        start JobMonitor test: a service stuck starting',
      'jm-failed.service       loaded failed       failed             JobMonitor test: a service that fails',
      'jm-gone.service         not-found inactive  dead               jm-gone.service',
      '',
      'garbage',
    ].join('\n'),
  );
  assert.deepEqual(Object.fromEntries(rows), {
    'jm-activating.service': { load: 'loaded', active: 'activating', sub: 'start' },
    'jm-failed.service': { load: 'loaded', active: 'failed', sub: 'failed' },
    'jm-gone.service': { load: 'not-found', active: 'inactive', sub: 'dead' },
  });
});

test('names follow "--", with sudo -n when asked', () => {
  assert.deepEqual(listCommand(['a.service'], false), { file: 'systemctl', args: ['list-units', '--all', '--plain', '--no-legend', '--full', '--no-pager', '--', 'a.service'] });
  assert.deepEqual(listCommand(['a.service'], true).args.slice(0, 3), ['-n', 'systemctl', 'list-units']);
});

test('one state per service in order; null for a service list-units did not print', async () => {
  const r = await listStates(
    { services: ['b.service', 'missing.service', 'a.service'], use_sudo: false, timeout_ms: 1000 },
    { run: async () => exit('a.service loaded active running A\nb.service loaded failed failed B\n') },
  );
  assert.deepEqual(r, { states: [{ load: 'loaded', active: 'failed', sub: 'failed' }, null, { load: 'loaded', active: 'active', sub: 'running' }], duration_ms: 4 });
});

test('a failed call is an error value with its kind, never a list of nulls', async () => {
  const job = { services: ['a.service'], use_sudo: true, timeout_ms: 1000 };
  assert.deepEqual(await listStates(job, { run: async () => exit('', 1, 'sudo: a password is required\n') }), { error: 'sudo: a password is required', kind: 'host' });
  assert.deepEqual(await listStates(job, { run: async () => ({ kind: 'timeout', durationMs: 1000 }) }), { error: 'timed out after 1s', kind: 'timeout' });
  const notFound = await listStates(job, { run: async () => ({ kind: 'spawn-error', code: 'ENOENT', message: 'x' }) });
  assert.deepEqual(notFound, { error: 'sudo not found in PATH', kind: 'host' });
});
