import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckBatchJob, UnitJob } from '../../src/checks/jobs.js';
import { checkUnits, describeFailure } from '../../workers/systemd.js';
import { makeFakeBin, recordedPids, survivors, type FakeBin } from './fake-bin.js';

const bins: FakeBin[] = [];
after(() => Promise.all(bins.map((b) => b.cleanup())));
async function fakeBin(opts?: { systemctl?: boolean; sudo?: boolean }): Promise<FakeBin> {
  const b = await makeFakeBin(opts);
  bins.push(b);
  return b;
}

const unit = (service: string, id = service.replace(/\.service$/, '')): UnitJob => ({ id, name: `Name of ${id}`, service, use_sudo: false });
const job = (services: string[], extra: Partial<CheckBatchJob> = {}): CheckBatchJob => ({
  units: services.map((s) => unit(s)),
  use_sudo: false,
  timeout_ms: 10_000,
  ...extra,
});

test('maps each systemd state like `systemctl is-active`, with the extra fields', async () => {
  const bin = await fakeBin();
  const r = await checkUnits(job(['ok.service', 'bad.service', 'stopped.service', 'missing.service', 'activating.service']), { env: bin.env() });
  assert.equal(r.batch_error, undefined);
  const [ok, bad, stopped, missing, activating] = r.results;
  const { duration_ms: okMs, ...okRest } = ok ?? { duration_ms: -1 };
  assert.ok(typeof okMs === 'number' && okMs >= 0);
  assert.deepEqual(okRest, {
    id: 'ok',
    name: 'Name of ok',
    ok: true,
    state: 'active',
    sub_state: 'running',
    result: 'success',
    since: '2026-11-28T10:35:47.000Z',
    restarts: 0,
  });
  assert.ok(!('error' in (ok ?? {})), 'an ok check has no error key');
  assert.deepEqual(
    { ok: bad?.ok, state: bad?.state, error: bad?.error, sub: bad?.sub_state, result: bad?.result, restarts: bad?.restarts, since: bad?.since },
    { ok: false, state: 'failed', error: 'failed', sub: 'failed', result: 'exit-code', restarts: 3, since: '2026-11-28T10:36:02.000Z' },
  );
  assert.deepEqual([stopped?.ok, stopped?.state, stopped?.error, stopped?.sub_state, 'since' in (stopped ?? {})], [false, 'inactive', 'inactive', 'dead', false]);
  assert.deepEqual([missing?.ok, missing?.state, missing?.error, 'since' in (missing ?? {})], [false, 'inactive', 'inactive', false]);
  assert.deepEqual([activating?.ok, activating?.state, activating?.error, activating?.sub_state], [false, 'activating', 'activating', 'start-pre']);
});

test('an alias shown under another Id is matched by order', async () => {
  const bin = await fakeBin();
  const r = await checkUnits(job(['bad.service', 'alias.service', 'stopped.service']), { env: bin.env() });
  assert.deepEqual(r.results.map((c) => [c.id, c.state]), [['bad', 'failed'], ['alias', 'active'], ['stopped', 'inactive']]);
});

test('the same unit twice is checked once and answered twice', async () => {
  const bin = await fakeBin();
  const j: CheckBatchJob = { units: [unit('ok.service', 'a'), unit('bad.service'), unit('ok.service', 'b')], use_sudo: false, timeout_ms: 10_000 };
  const r = await checkUnits(j, { env: bin.env() });
  assert.deepEqual(r.results.map((c) => [c.id, c.state]), [['a', 'active'], ['bad', 'failed'], ['b', 'active']]);
});

test('a hung systemctl times out: every unit unknown, and the hung processes are gone', { timeout: 15_000 }, async () => {
  const bin = await fakeBin();
  const r = await checkUnits(job(['ok.service', 'hang.service'], { timeout_ms: 500 }), { env: bin.env() });
  assert.equal(r.batch_error, 'timed out after 0.5s');
  assert.equal(r.batch_error_kind, 'timeout');
  for (const c of r.results) assert.deepEqual([c.ok, c.state, c.error], [false, 'unknown', 'timed out after 0.5s']);
  const pids = recordedPids(bin.pidFile);
  assert.equal(pids.length, 2, 'the fake shell and its sleep');
  assert.deepEqual(await survivors(pids), []);
});

test('systemctl missing from PATH: unknown with "not found", never inactive', async () => {
  const bin = await fakeBin({ systemctl: false });
  const r = await checkUnits(job(['ok.service']), { env: bin.env({}, true) });
  assert.deepEqual(r.results.map((c) => [c.state, c.error]), [['unknown', 'systemctl not found in PATH']]);
  assert.equal(r.batch_error_kind, 'host');
});

test('no systemd as PID 1: unknown with systemctl\'s own message', async () => {
  const bin = await fakeBin();
  const r = await checkUnits(job(['ok.service', 'bad.service']), { env: bin.env({ FAKE_SYSTEMCTL_MODE: 'nosystemd' }) });
  assert.equal(r.batch_error_kind, 'host');
  for (const c of r.results) {
    assert.equal(c.state, 'unknown');
    assert.match(c.error ?? '', /^System has not been booted with systemd as init system \(PID 1\)\. Can't operate\./);
  }
});

test('systemctl failing on a unit name: unknown with its message, marked for a per-unit retry', async () => {
  const bin = await fakeBin();
  const r = await checkUnits(job(['ok.service', 'broken.service']), { env: bin.env() });
  assert.equal(r.batch_error_kind, 'output');
  assert.deepEqual(r.results.map((c) => c.state), ['unknown', 'unknown']);
  assert.match(r.batch_error ?? '', /^systemctl exited with status 1: Failed to get properties: Unit name broken\.service is not valid\.$/);
});

test('use_sudo goes through `sudo -n systemctl`', async () => {
  const bin = await fakeBin({ sudo: true });
  const r = await checkUnits(job(['ok.service', 'bad.service'], { use_sudo: true }), { env: bin.env() });
  assert.deepEqual(r.results.map((c) => c.state), ['active', 'failed']);
});

test('sudo wanting a password fails fast as unknown with sudo\'s message', async () => {
  const bin = await fakeBin({ sudo: true });
  const r = await checkUnits(job(['ok.service'], { use_sudo: true }), { env: bin.env({ FAKE_SUDO: 'nopass' }) });
  assert.deepEqual(r.results.map((c) => [c.state, c.error]), [['unknown', 'sudo: a password is required']]);
  assert.equal(r.batch_error_kind, 'host');
});

test('sudo missing: unknown with "sudo not found in PATH"', async () => {
  const bin = await fakeBin();
  const r = await checkUnits(job(['ok.service'], { use_sudo: true }), { env: bin.env({}, true) });
  assert.deepEqual(r.results.map((c) => [c.state, c.error]), [['unknown', 'sudo not found in PATH']]);
});

test('an empty batch runs nothing', async () => {
  const r = await checkUnits(job([]), { run: () => assert.fail('must not run') });
  assert.deepEqual(r, { results: [] });
});

test('output that does not match the units asked for is an error, never a guess', async () => {
  const stdout = 'Id=a.service\nActiveState=active\n';
  const r = await checkUnits(job(['a.service', 'b.service']), {
    run: async () => ({ kind: 'exit', code: 0, signal: null, stdout, stderr: '', durationMs: 1 }),
  });
  assert.equal(r.batch_error_kind, 'output');
  assert.match(r.batch_error ?? '', /1 unit block\(s\) for 2 unit\(s\)/);
});

test('a death by signal is reported as such', () => {
  const f = describeFailure({ kind: 'exit', code: null, signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 5 }, 'systemctl', 1000);
  assert.deepEqual(f, { error: 'systemctl killed by signal SIGKILL', kind: 'output' });
});

test('a bus failure is host-wide', () => {
  const f = describeFailure({ kind: 'exit', code: 1, signal: null, stdout: '', stderr: 'Failed to connect to bus: No such file or directory\n', durationMs: 5 }, 'systemctl', 1000);
  assert.deepEqual(f, { error: 'Failed to connect to bus: No such file or directory', kind: 'host' });
});
