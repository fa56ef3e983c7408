/**
 * The "shared cause" rule (src/incidents/host-cause.ts): which failures of a
 * sweep are the host's, from the texts the checks store. First with texts as
 * written, then with real check results: the worker pool running the fake
 * systemctl/sudo scripts on PATH, and the machine's own systemctl.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { causeOfError, findHostCauses } from '../../src/incidents/host-cause.js';
import { createCheckPool, type CheckPool } from '../../src/checks/pool.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { CheckResult } from '../../src/types.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

const unknown = (id: string, error: string): CheckResult => ({ id, name: id.toUpperCase(), ok: false, state: 'unknown', error });
const failed = (id: string): CheckResult => ({ id, name: id, ok: false, state: 'failed', error: 'failed' });
const active = (id: string): CheckResult => ({ id, name: id, ok: true, state: 'active' });

describe('host cause: error texts', () => {
  it('names the cause of every host-wide failure the checks report', () => {
    const cases: Array<[string, string]> = [
      ["System has not been booted with systemd as init system (PID 1). Can't operate. Failed to connect to bus: Host is down", 'no-systemd'],
      ['systemctl not found in PATH', 'systemctl-missing'],
      ['systemctl: permission denied', 'systemctl-missing'],
      ['sudo: systemctl: command not found', 'systemctl-missing'],
      ['sudo: a password is required', 'sudo-failing'],
      ['sudo not found in PATH', 'sudo-failing'],
      ['Failed to connect to bus: No such file or directory', 'bus-unreachable'],
      ['timed out after 15s', 'systemd-not-answering'],
      ['systemctl exited with status 1: Failed to get properties: Connection timed out', 'systemd-not-answering'],
      ['check worker failed: no answer within 20s', 'check-workers-failing'],
    ];
    for (const [text, cause] of cases) assert.equal(causeOfError(text), cause, text);
  });

  it("leaves a unit's own errors to the unit", () => {
    for (const text of ['failed', 'no output for unit', 'Unit foo.service not found.', 'systemctl exited with status 1: Unit name x is not valid.']) {
      assert.equal(causeOfError(text), undefined, text);
    }
  });
});

describe('host cause: one sweep', () => {
  it('puts every unit showing a certain cause under it, however few, and leaves the others alone', () => {
    const found = findHostCauses([unknown('a', 'sudo: a password is required'), active('b'), failed('c'), unknown('d', 'sudo: a password is required')]);
    assert.deepEqual(found, [{ cause: 'sudo-failing', error: 'sudo: a password is required', units: [{ id: 'a', name: 'A' }, { id: 'd', name: 'D' }] }]);
    assert.deepEqual(findHostCauses([unknown('a', 'systemctl not found in PATH')]).map((f) => f.units.length), [1]);
  });

  it('counts timeouts as the host only when systemd answered nothing in the sweep, and at least two timed out', () => {
    const hung = [unknown('a', 'timed out after 2s'), unknown('b', 'timed out after 2s (systemd answered neither the batch nor single checks; not retried)')];
    assert.deepEqual(findHostCauses(hung).map((f) => [f.cause, f.units.map((u) => u.id)]), [['systemd-not-answering', ['a', 'b']]]);
    assert.deepEqual(findHostCauses([...hung, active('c')]), [], 'systemd answered for c: a and b hang on their own');
    assert.deepEqual(findHostCauses([...hung, failed('c')]), [], 'a failed state is an answer too');
    assert.deepEqual(findHostCauses([unknown('a', 'timed out after 2s')]), [], 'one unit alone may be the one hanging');
    assert.deepEqual(findHostCauses([unknown('a', 'timed out after 2s')], { minSilentUnits: 1 }).length, 1);
  });

  it('keeps a failure with a real state with its unit, whatever its error says', () => {
    assert.deepEqual(findHostCauses([{ id: 'a', name: 'a', ok: false, state: 'failed', error: 'sudo: starting failed' }]), []);
    assert.deepEqual(findHostCauses([]), []);
  });
});

describe('host cause: real check results', () => {
  const targets = (n: number, over: Partial<TargetConfig> = {}): TargetConfig[] =>
    Array.from({ length: n }, (_, i) => ({ id: `u${i}`, name: `Unit ${i}`, service: `ok-${i}.service`, timeout_seconds: 10, use_sudo: false, ...over }));
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  async function poolWith(bin: FakeBin, extra: Record<string, string>): Promise<CheckPool> {
    const p = createCheckPool({ env: bin.env(extra), maxThreads: 2 });
    cleanups.push(() => p.close(), () => bin.cleanup());
    return p;
  }

  it('fake systemctl on a machine not booted with systemd: one cause for all', async () => {
    const bin = await makeFakeBin();
    const pool = await poolWith(bin, { FAKE_SYSTEMCTL_MODE: 'nosystemd' });
    const checks = await pool.checkTargets(targets(30));
    const found = findHostCauses(checks);
    assert.deepEqual(found.map((f) => [f.cause, f.units.length]), [['no-systemd', 30]]);
  });

  it('fake sudo asking for a password: the sudo targets under one cause, the others checked as usual', async () => {
    const bin = await makeFakeBin({ sudo: true });
    const pool = await poolWith(bin, { FAKE_SUDO: 'nopass' });
    const checks = await pool.checkTargets([...targets(6, { use_sudo: true }), { id: 'plain', name: 'Plain', service: 'bad-x.service', timeout_seconds: 10, use_sudo: false }]);
    const found = findHostCauses(checks);
    assert.deepEqual(found.map((f) => [f.cause, f.units.map((u) => u.id)]), [['sudo-failing', ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']]]);
    assert.equal(checks.find((c) => c.id === 'plain')?.state, 'failed', "the plain target's own failure stays its own");
  });

  it('no systemctl at all on PATH', async () => {
    const bin = await makeFakeBin({ systemctl: false });
    const p = createCheckPool({ env: bin.env({}, true), maxThreads: 2 });
    cleanups.push(() => p.close(), () => bin.cleanup());
    const found = findHostCauses(await p.checkTargets(targets(3)));
    assert.deepEqual(found.map((f) => [f.cause, f.units.length]), [['systemctl-missing', 3]]);
  });

  it("this machine's own systemctl, where PID 1 is not systemd", async (t) => {
    const probe = spawnSync('systemctl', ['show', '-p', 'Id', '--', 'x.service'], { encoding: 'utf8' });
    if (probe.error !== undefined || !/not been booted with systemd/.test(probe.stderr)) {
      t.skip('systemctl here talks to a running systemd (this test is for hosts without one)');
      return;
    }
    const p = createCheckPool({ maxThreads: 2 });
    cleanups.push(() => p.close());
    const found = findHostCauses(await p.checkTargets(targets(4)));
    assert.deepEqual(found.map((f) => [f.cause, f.units.length]), [['no-systemd', 4]]);
  });
});
