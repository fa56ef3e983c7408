/**
 * The incident service with a host cause: one `host` incident for a sweep
 * whose failures share a cause outside the units, none per unit, and units
 * back to their own incidents when it clears.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIncidentService } from '../../src/incidents/service.js';
import { openIncidentStore } from '../../src/incidents/store.js';
import type { ThresholdConfig } from '../../src/incidents/thresholds.js';
import type { IncidentEvent } from '../../src/incidents/types.js';
import { createLogger } from '../../src/log.js';
import type { CheckResult, StatusEntry } from '../../src/types.js';
import { testConfig } from '../helpers/config.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;
const NO_SYSTEMD = "System has not been booted with systemd as init system (PID 1). Can't operate. Failed to connect to bus: Host is down";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${String(i).padStart(3, '0')}`);

function config(n: number, over: Partial<ThresholdConfig> = {}): ThresholdConfig {
  return testConfig({
    targets: ids(n).map((id) => ({ id, name: `Unit ${id}`, service: `${id}.service`, timeout_seconds: 15, use_sudo: false })),
    peers: [],
    monitor_dns: { enabled: false, target: '1.1.1.1', interval_seconds: 60, timeout_seconds: 4 },
    ...over,
  });
}

/** One sweep of `n` targets at minute `i`: `check(id)` gives each result (default active). */
function sweep(i: number, n: number, check: (id: string) => Partial<CheckResult> = () => ({})): StatusEntry {
  return {
    timestamp: new Date(T0 + i * MIN).toISOString(),
    checks: ids(n).map((id) => ({ id, name: `Unit ${id}`, ok: true, state: 'active', ...check(id) })),
  };
}
const unreachable = (): Partial<CheckResult> => ({ ok: false, state: 'unknown', error: NO_SYSTEMD });

async function start(n: number, over: Partial<ThresholdConfig> = {}, dir = mkdtempSync(join(tmpdir(), 'jm-host-'))) {
  const lines: string[] = [];
  const batches: IncidentEvent[][] = [];
  const log = createLogger({ write: (l) => lines.push(l), now: () => T0 });
  const r = await openIncidentStore({ dir, retentionDays: 30, now: () => T0, log });
  assert.ok(r.ok);
  const service = createIncidentService({
    node: { id: 'n1', name: 'Node 1' }, config: config(n, over), store: r.value, log, now: () => T0, onEvents: (e) => batches.push(e),
  });
  const events = () => batches.flat();
  return { service, batches, events, lines, dir, store: r.value };
}

describe('host incidents', () => {
  it('500 targets and no systemd: exactly one open incident naming the cause and listing the units, one WARN line', async () => {
    const s = await start(500);
    for (let i = 0; i < 4; i++) s.service.observeStatus(sweep(i, 500, unreachable));
    assert.deepEqual(s.events().map((e) => [e.type, e.incident.kind, e.incident.subject]), [['open', 'host', 'no-systemd']]);
    const list = s.service.list('24h');
    assert.equal(list.open.length, 1);
    const [host] = list.open;
    assert.equal(host!.name, 'systemd is not running (not booted with systemd)');
    assert.deepEqual(host!.errors, [NO_SYSTEMD]);
    assert.equal(host!.units!.length, 500);
    assert.deepEqual(host!.units![0], { id: 'u000', name: 'Unit u000' });
    assert.equal(s.lines.filter((l) => / WARN /.test(l)).length, 1, s.lines.join('\n'));
    assert.match(s.lines.find((l) => / WARN /.test(l))!, /incident opened: host no-systemd .*500 unit\(s\) unchecked/);

    s.service.observeStatus(sweep(4, 500));
    s.service.observeStatus(sweep(5, 500));
    assert.deepEqual(s.events().map((e) => [e.type, e.incident.subject]), [['open', 'no-systemd'], ['resolve', 'no-systemd']]);
    const after = s.service.list('24h');
    assert.deepEqual(after.open, [], 'the units are back to normal: no incident of their own');
    assert.equal(after.resolved[0]!.ended_at, new Date(T0 + 4 * MIN).toISOString());
  });

  it("a unit's own incident stays as it was under a host cause and takes up again when the cause clears", async () => {
    const s = await start(10);
    s.service.observeStatus(sweep(0, 10, (id) => (id === 'u003' ? { ok: false, state: 'failed', error: 'failed' } : {})));
    const [ownOpen] = s.events();
    assert.equal(ownOpen!.incident.subject, 'u003');
    s.service.observeStatus(sweep(1, 10, unreachable));
    s.service.observeStatus(sweep(2, 10, unreachable));
    const during = s.service.list('24h').open.map((i) => [i.kind, i.subject]).sort();
    assert.deepEqual(during, [['host', 'no-systemd'], ['unit', 'u003']]);
    assert.deepEqual(s.service.list('24h').open.find((i) => i.kind === 'unit')!.states, ['failed'], 'no "unknown" added: nothing was learnt about the unit');
    // The cause clears: u003 is still failed (same incident, no new opening), u005 fails for itself now.
    s.service.observeStatus(sweep(3, 10, (id) => (id === 'u003' || id === 'u005' ? { ok: false, state: 'failed', error: 'failed' } : {})));
    assert.deepEqual(s.events().map((e) => [e.type, e.incident.kind, e.incident.subject]), [
      ['open', 'unit', 'u003'], ['open', 'host', 'no-systemd'], ['resolve', 'host', 'no-systemd'], ['open', 'unit', 'u005'],
    ]);
    assert.equal(s.service.list('24h').open.find((i) => i.subject === 'u003')!.id, ownOpen!.incident.id);
  });

  it('units that only some sweeps hid are all listed; the incident and its units survive a restart', async () => {
    const s = await start(6);
    s.service.observeStatus(sweep(0, 6, (id) => (id < 'u003' ? unreachable() : { ok: false, state: 'unknown', error: 'sudo: a password is required' })));
    s.service.observeStatus(sweep(1, 6, unreachable));
    const host = s.service.list('24h').open.find((i) => i.subject === 'no-systemd')!;
    assert.deepEqual(host.units!.map((u) => u.id), ids(6));
    assert.deepEqual(s.events().map((e) => [e.type, e.incident.subject]), [['open', 'no-systemd'], ['open', 'sudo-failing'], ['resolve', 'sudo-failing']]);
    await s.service.close();
    const again = await start(6, {}, s.dir);
    assert.deepEqual(again.service.list('24h').open.find((i) => i.subject === 'no-systemd')!.units!.map((u) => u.id), ids(6));
    again.service.observeStatus(sweep(2, 6));
    assert.deepEqual(again.events().map((e) => [e.type, e.incident.subject]), [['resolve', 'no-systemd']]);
  });

  it('follows the failure and success thresholds like units do', async () => {
    const s = await start(5, { failure_threshold: 2, success_threshold: 2 });
    s.service.observeStatus(sweep(0, 5, unreachable));
    assert.deepEqual(s.events(), [], 'one sweep is not yet an incident, and no unit opened either');
    s.service.observeStatus(sweep(1, 5, unreachable));
    s.service.observeStatus(sweep(2, 5));
    assert.deepEqual(s.events().map((e) => e.type), ['open']);
    s.service.observeStatus(sweep(3, 5));
    assert.deepEqual(s.events().map((e) => e.type), ['open', 'resolve']);
  });

  it('hands the events of one sweep over together', async () => {
    const s = await start(8);
    s.service.observeStatus(sweep(0, 8, () => ({ ok: false, state: 'failed', error: 'failed' })));
    assert.deepEqual(s.batches.map((b) => b.length), [8]);
  });
});
