/**
 * One `systemctl show` per batch must report exactly what one check per unit
 * reports, and what `systemctl is-active` prints, for every kind of unit a
 * real systemd has: active, failed, inactive, activating, deactivating,
 * oneshot, restarting, aliases (by short name and by an Alias= link),
 * template instances, and nonexistent units. The incremental sweep (one
 * `list-units` per batch, `show` only where needed) must report the same,
 * sweep after sweep, also after units change state between sweeps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { canRunSandbox, gateSandbox, readFixtureUnits, startSandbox, type Sandbox } from '../helpers/sandbox.js';
import { createCheckPool, type CheckPool } from '../../src/checks/pool.js';
import { createIncrementalChecker } from '../../src/checks/incremental.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { CheckResult } from '../../src/types.js';

const FILES = ['jm-ok.service', 'jm-failed.service', 'jm-inactive.service', 'jm-activating.service', 'jm-deactivating.service', 'jm-oneshot.service', 'jm-restarting.service'];
const EXTRA_UNITS = {
  'jm-tpl@.service': '[Unit]\nDescription=JobMonitor test: a template\n\n[Service]\nExecStart=/bin/sleep infinity\n',
  'jm-aliased.service': '[Unit]\nDescription=JobMonitor test: a unit with an alias\n\n[Service]\nExecStart=/bin/sleep infinity\n',
};
const RESTARTING = 'jm-restarting.service';

let sandbox: Sandbox | undefined;
let pool: CheckPool | undefined;

before(async () => {
  if (!canRunSandbox().ok) return;
  sandbox = await startSandbox({
    units: { ...(await readFixtureUnits(FILES)), ...EXTRA_UNITS },
    boot: ['jm-ok.service', 'jm-failed.service', 'jm-oneshot.service', 'jm-deactivating.service', 'jm-tpl@a.service', 'jm-aliased.service', RESTARTING],
  });
  // An Alias= link: systemd knows the unit under both names but lists it only under its own.
  await symlink('jm-aliased.service', join(sandbox.stateDir, 'units', 'jm-alias.service'));
  await sandbox.systemctl('daemon-reload');
  await sandbox.systemctl('start', '--no-block', 'jm-activating.service');
  await sandbox.systemctl('stop', '--no-block', 'jm-deactivating.service');
  await sandbox.waitForState('jm-activating.service', 'activating');
  await sandbox.waitForState('jm-deactivating.service', 'deactivating');
  pool = createCheckPool({ env: { ...process.env, PATH: `${sandbox.binDir}:${process.env['PATH'] ?? ''}` } });
});
after(async () => {
  await pool?.close();
  await sandbox?.stop();
});

const strip = (r: CheckResult): Omit<CheckResult, 'duration_ms'> => {
  const { duration_ms: _d, ...rest } = r;
  return rest;
};

function targetsOf(services: readonly string[], n = services.length): TargetConfig[] {
  return Array.from({ length: n }, (_, i) => {
    const service = services[i % services.length]!;
    return { id: `t${i}`, name: service, service: service.includes('.') ? service : `${service}.service`, timeout_seconds: 5, use_sudo: false };
  });
}

async function assertAsIsActive(results: readonly CheckResult[], targets: readonly TargetConfig[]): Promise<void> {
  for (const [i, r] of results.entries()) {
    if (targets[i]!.service === RESTARTING) continue; // changes state by itself; see the restarting test
    const isActive = await sandbox!.systemctl('is-active', '--', targets[i]!.service);
    assert.equal(r.state, isActive.stdout.trim(), `${targets[i]!.service}: state as is-active prints it`);
    assert.equal(r.ok, r.state === 'active');
    if (!r.ok) assert.equal(r.error, r.state);
  }
}

/** The incremental results equal fresh per-unit checks, except the crash-looping unit, whose restarts move on between the two. */
function assertSameAsSingle(got: readonly CheckResult[], single: readonly CheckResult[], targets: readonly TargetConfig[]): void {
  const steady = (rs: readonly CheckResult[]) => rs.filter((_, i) => targets[i]!.service !== RESTARTING).map(strip);
  assert.deepEqual(steady(got), steady(single));
}

test('batched checks equal per-unit checks and is-active, unit for unit', async (t) => {
  if (!gateSandbox(t)) return;
  const services = [...FILES.filter((f) => f !== RESTARTING), 'jm-ok', 'jm-missing-1.service', 'jm-missing-2.timer', 'jm-failed.service'];
  // 60 targets: more than one batch of 50, with repeats, so batch edges are crossed.
  const targets = targetsOf(services, 60);
  const batched = await pool!.checkTargets(targets);
  const single = await pool!.checkTargets(targets, { batchSize: 1 });
  assert.deepEqual(batched.map(strip), single.map(strip));
  await assertAsIsActive(batched, targets);
  const states = new Set(batched.map((r) => r.state));
  for (const s of ['active', 'failed', 'inactive', 'activating', 'deactivating']) assert.ok(states.has(s), `covers ${s}`);
});

test('the incremental sweep equals per-unit checks and is-active on every sweep, also across state changes', async (t) => {
  if (!gateSandbox(t)) return;
  const services = [
    ...FILES, 'jm-ok', 'jm-missing-1.service', 'jm-missing-2.timer', 'jm-tpl@a.service', 'jm-tpl@b.service', 'jm-alias.service', 'jm-aliased.service',
  ];
  const targets = targetsOf(services);
  // Details are never due by count here, so every sweep after the first takes the list-units path.
  const checker = createIncrementalChecker(pool!, { detailsEvery: 1_000_000 });
  for (let sweep = 1; sweep <= 4; sweep++) {
    if (sweep === 3) {
      // Between sweeps: one unit stops, one never started starts, one instance starts: their since/result must be new.
      await sandbox!.systemctl('stop', 'jm-ok.service');
      await sandbox!.systemctl('start', 'jm-inactive.service');
      await sandbox!.systemctl('start', 'jm-tpl@b.service');
      await sandbox!.systemctl('stop', 'jm-aliased.service');
    }
    const got = await checker.checkTargets(targets);
    const single = await pool!.checkTargets(targets, { batchSize: 1 });
    assertSameAsSingle(got, single, targets);
    await assertAsIsActive(got, targets);
  }
  const last = await checker.checkTargets(targets);
  const byService = new Map(last.map((r, i) => [targets[i]!.service, r]));
  assert.equal(byService.get('jm-ok.service')?.state, 'inactive');
  assert.equal(byService.get('jm-inactive.service')?.state, 'active');
  assert.equal(byService.get('jm-tpl@b.service')?.state, 'active');
  assert.equal(byService.get('jm-alias.service')?.state, 'inactive', 'an alias follows its unit although list-units never lists it');
  const states = new Set(last.map((r) => r.state));
  for (const s of ['active', 'failed', 'inactive', 'activating', 'deactivating']) assert.ok(states.has(s), `covers ${s}`);
});

test('a crash-looping unit has its restarts read while it loops', async (t) => {
  if (!gateSandbox(t)) return;
  const targets = targetsOf([RESTARTING, 'jm-failed.service']);
  const checker = createIncrementalChecker(pool!, { detailsEvery: 1_000_000 });
  const seen: number[] = [];
  for (let sweep = 0; sweep < 4; sweep++) {
    const [r] = await checker.checkTargets(targets);
    // Between attempts it is activating/auto-restart; for a moment after each start, active/running.
    assert.ok(['activating', 'active', 'failed'].includes(r?.state ?? ''), `state ${r?.state}`);
    seen.push(r?.restarts ?? -1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // RestartSec=200ms: at least one restart in between
  }
  assert.ok(seen[0]! >= 0 && seen[3]! > seen[0]!, `restarts grow from sweep to sweep: ${seen.join(', ')}`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `never backwards: ${seen.join(', ')}`);
  const [fresh] = await pool!.checkTargets(targets.slice(0, 1));
  assert.ok((fresh?.restarts ?? -1) >= seen[3]!);
});
