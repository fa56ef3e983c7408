/**
 * One `systemctl show` per batch must report exactly what one check per unit
 * reports, and what `systemctl is-active` prints, for every kind of unit a
 * real systemd has: active, failed, inactive, activating, deactivating,
 * oneshot, aliases by short name, and nonexistent units.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canRunSandbox, gateSandbox, readFixtureUnits, startSandbox, type Sandbox } from '../helpers/sandbox.js';
import { createCheckPool, type CheckPool } from '../../src/checks/pool.js';
import type { TargetConfig } from '../../src/config/types.js';

const FILES = ['jm-ok.service', 'jm-failed.service', 'jm-inactive.service', 'jm-activating.service', 'jm-deactivating.service', 'jm-oneshot.service'];

let sandbox: Sandbox | undefined;
let pool: CheckPool | undefined;

before(async () => {
  if (!canRunSandbox().ok) return;
  sandbox = await startSandbox({ units: await readFixtureUnits(FILES), boot: ['jm-ok.service', 'jm-failed.service', 'jm-oneshot.service', 'jm-deactivating.service'] });
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

test('batched checks equal per-unit checks and is-active, unit for unit', async (t) => {
  if (!gateSandbox(t)) return;
  const services = [...FILES, 'jm-ok', 'jm-missing-1.service', 'jm-missing-2.timer', 'jm-failed.service'];
  // 60 targets: more than one batch of 50, with repeats, so batch edges are crossed.
  const targets: TargetConfig[] = Array.from({ length: 60 }, (_, i) => {
    const service = services[i % services.length]!;
    return { id: `t${i}`, name: service, service: service.includes('.') ? service : `${service}.service`, timeout_seconds: 5, use_sudo: false };
  });
  const batched = await pool!.checkTargets(targets);
  const single = await pool!.checkTargets(targets, { batchSize: 1 });
  const strip = (r: { duration_ms?: number }) => {
    const { duration_ms: _d, ...rest } = r;
    return rest;
  };
  assert.deepEqual(batched.map(strip), single.map(strip));
  for (const [i, r] of batched.entries()) {
    const isActive = await sandbox!.systemctl('is-active', '--', targets[i]!.service);
    assert.equal(r.state, isActive.stdout.trim(), `${targets[i]!.service}: state as is-active prints it`);
    assert.equal(r.ok, r.state === 'active');
    if (!r.ok) assert.equal(r.error, r.state);
  }
  const states = new Set(batched.map((r) => r.state));
  for (const s of ['active', 'failed', 'inactive', 'activating', 'deactivating']) assert.ok(states.has(s), `covers ${s}`);
});
