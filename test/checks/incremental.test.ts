import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIncrementalChecker } from '../../src/checks/incremental.js';
import type { CheckPool, DetailedCheck, ListedState } from '../../src/checks/pool.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { CheckResult } from '../../src/types.js';

/** A unit of the fake systemd: what list-units and show would say of it. */
interface FakeUnit {
  active: string;
  sub: string;
  result?: string;
  since?: string;
  restarts?: number;
  /** Not loaded: list-units does not list it. */
  unloaded?: boolean;
  /** Shown under this Id (an alias); list-units does not list the alias name. */
  aliasOf?: string;
}

/** A stand-in pool over `units`, counting what it was asked to show. */
function fakePool(units: Map<string, FakeUnit>, opts: { listFails?: boolean } = {}) {
  const shownPerCall: string[][] = [];
  const listedPerCall: string[][] = [];
  const pool: Pick<CheckPool, 'checkDetailed' | 'listStates'> = {
    async listStates(targets) {
      listedPerCall.push(targets.map((t) => t.service));
      const states: ListedState[] = targets.map((t) => {
        if (opts.listFails) return undefined;
        const u = units.get(t.service);
        return u === undefined || u.unloaded || u.aliasOf !== undefined ? null : { load: 'loaded', active: u.active, sub: u.sub };
      });
      return { states, durationMs: 3 };
    },
    async checkDetailed(targets) {
      shownPerCall.push(targets.map((t) => t.service));
      return targets.map((t): DetailedCheck => {
        const u = units.get(t.service) ?? { active: 'inactive', sub: 'dead', result: 'success', restarts: 0 };
        const r: CheckResult = { id: t.id, name: t.name, ok: u.active === 'active', state: u.active };
        if (!r.ok) r.error = u.active;
        r.sub_state = u.sub;
        if (u.result !== undefined) r.result = u.result;
        if (u.since !== undefined) r.since = u.since;
        if (u.restarts !== undefined) r.restarts = u.restarts;
        r.duration_ms = 7;
        return { result: r, unitId: u.aliasOf ?? t.service };
      });
    },
  };
  return { pool, shownPerCall, listedPerCall };
}

const target = (service: string, i: number): TargetConfig => ({ id: `t${i}`, name: service, service, timeout_seconds: 5, use_sudo: false });
const targetsOf = (...services: string[]): TargetConfig[] => services.map(target);
const strip = ({ duration_ms: _d, ...rest }: CheckResult) => rest;

function units(entries: Record<string, FakeUnit>): Map<string, FakeUnit> {
  return new Map(Object.entries(entries));
}

test('after the first sweep, settled units whose state did not change are not shown again, and keep their details', async () => {
  const u = units({
    'a.service': { active: 'active', sub: 'running', result: 'success', since: '2026-12-01T00:00:00.000Z', restarts: 2 },
    'b.service': { active: 'failed', sub: 'failed', result: 'exit-code', since: '2026-12-02T00:00:00.000Z', restarts: 0 },
  });
  const { pool, shownPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  const targets = targetsOf('a.service', 'b.service');
  const first = await checker.checkTargets(targets);
  const second = await checker.checkTargets(targets);
  assert.deepEqual(shownPerCall, [['a.service', 'b.service'], []]);
  assert.deepEqual(second.map(strip), first.map(strip));
  assert.equal(second[0]?.duration_ms, 3, 'a result from list-units takes its duration');
});

test('a unit whose state or sub-state changed is shown, and its new details are reported', async () => {
  const u = units({ 'a.service': { active: 'active', sub: 'running', since: '2026-12-01T00:00:00.000Z', restarts: 0 } });
  const { pool, shownPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  const targets = targetsOf('a.service');
  await checker.checkTargets(targets);
  u.set('a.service', { active: 'active', sub: 'exited', since: '2026-12-03T00:00:00.000Z', restarts: 0 });
  const [r] = await checker.checkTargets(targets);
  u.set('a.service', { active: 'failed', sub: 'failed', result: 'signal', since: '2026-12-04T00:00:00.000Z', restarts: 0 });
  const [f] = await checker.checkTargets(targets);
  assert.deepEqual(shownPerCall.map((c) => c.length), [1, 1, 1]);
  assert.equal(r?.since, '2026-12-03T00:00:00.000Z');
  assert.deepEqual([f?.ok, f?.state, f?.error, f?.result, f?.since], [false, 'failed', 'failed', 'signal', '2026-12-04T00:00:00.000Z']);
});

test('a unit in motion (activating, deactivating) is shown on every sweep, so its restarts are current', async () => {
  const u = units({ 'loop.service': { active: 'activating', sub: 'auto-restart', restarts: 1 } });
  const { pool, shownPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  const seen: (number | undefined)[] = [];
  for (let i = 2; i <= 4; i++) {
    seen.push((await checker.checkTargets(targetsOf('loop.service')))[0]?.restarts);
    u.set('loop.service', { active: 'activating', sub: 'auto-restart', restarts: i });
  }
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(shownPerCall.length, 3);
});

test('a settled unit restarted between sweeps (same state) has its details re-read within detailsEvery sweeps', async () => {
  const u = units({ 'a.service': { active: 'active', sub: 'running', since: '2026-12-01T00:00:00.000Z', restarts: 0 } });
  const { pool } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 4 });
  await checker.checkTargets(targetsOf('a.service'));
  u.set('a.service', { active: 'active', sub: 'running', since: '2026-12-05T00:00:00.000Z', restarts: 1 });
  const since: (string | undefined)[] = [];
  for (let i = 0; i < 4; i++) since.push((await checker.checkTargets(targetsOf('a.service')))[0]?.since);
  assert.ok(since.includes('2026-12-05T00:00:00.000Z'), `re-read within 4 sweeps: ${since.join(', ')}`);
});

test('an unloaded unit is not shown again while it stays unloaded; an alias always is', async () => {
  const u = units({
    'gone.service': { active: 'inactive', sub: 'dead', result: 'success', restarts: 0, unloaded: true },
    'alias.service': { active: 'inactive', sub: 'dead', result: 'success', restarts: 0, aliasOf: 'real.service' },
  });
  const { pool, shownPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  const targets = targetsOf('gone.service', 'alias.service');
  await checker.checkTargets(targets);
  const second = await checker.checkTargets(targets);
  assert.deepEqual(shownPerCall[1], ['alias.service']);
  assert.deepEqual([second[0]?.state, second[0]?.sub_state, second[0]?.result], ['inactive', 'dead', 'success']);
  // The alias's unit starts: list-units still does not list the alias, show does.
  u.set('alias.service', { active: 'active', sub: 'running', aliasOf: 'real.service' });
  const third = await checker.checkTargets(targets);
  assert.equal(third[1]?.state, 'active');
  // The unloaded unit is loaded and started: it is listed again, with a new state, and shown.
  u.set('gone.service', { active: 'active', sub: 'running', since: '2026-12-06T00:00:00.000Z' });
  const fourth = await checker.checkTargets(targets);
  assert.deepEqual([fourth[0]?.state, fourth[0]?.since], ['active', '2026-12-06T00:00:00.000Z']);
});

test('when list-units fails, every unit is shown, as before, and list-units is not retried every sweep', async () => {
  const u = units({ 'a.service': { active: 'active', sub: 'running' }, 'b.service': { active: 'active', sub: 'running' } });
  const { pool, shownPerCall, listedPerCall } = fakePool(u, { listFails: true });
  const checker = createIncrementalChecker(pool, { detailsEvery: 3 });
  for (let i = 0; i < 4; i++) await checker.checkTargets(targetsOf('a.service', 'b.service'));
  assert.deepEqual(shownPerCall.map((c) => c.length), [2, 2, 2, 2]);
  assert.deepEqual(listedPerCall.map((c) => c.length), [2, 0, 0, 2]);
});

test('names list-units would read as globs are never listed, always shown', async () => {
  const u = units({ 'a\\x2db.service': { active: 'active', sub: 'running' }, 'plain.service': { active: 'active', sub: 'running' } });
  const { pool, shownPerCall, listedPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  const targets = targetsOf('a\\x2db.service', 'plain.service');
  await checker.checkTargets(targets);
  await checker.checkTargets(targets);
  assert.deepEqual(listedPerCall, [['plain.service'], ['plain.service']]);
  assert.deepEqual(shownPerCall[1], ['a\\x2db.service']);
});

test('with journal lines wanted, units that are not ok are shown every sweep (the lines come with show)', async () => {
  const u = units({ 'bad.service': { active: 'failed', sub: 'failed' }, 'ok.service': { active: 'active', sub: 'running' } });
  const { pool, shownPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  const targets = targetsOf('bad.service', 'ok.service');
  await checker.checkTargets(targets, { journalLines: 5 });
  await checker.checkTargets(targets, { journalLines: 5 });
  assert.deepEqual(shownPerCall[1], ['bad.service']);
});

test('a unit that could not be read is read in full again next sweep', async () => {
  const u = units({ 'a.service': { active: 'unknown', sub: '' } });
  const { pool, shownPerCall } = fakePool(u);
  const checker = createIncrementalChecker(pool, { detailsEvery: 1000 });
  await checker.checkTargets(targetsOf('a.service'));
  await checker.checkTargets(targetsOf('a.service'));
  assert.equal(shownPerCall[1]?.length, 1);
});

test('detailsEvery must be a positive integer', () => {
  const { pool } = fakePool(new Map());
  assert.throws(() => createIncrementalChecker(pool, { detailsEvery: 0 }), /detailsEvery must be a positive integer, got 0/);
});
