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
import type { StatusEntry } from '../../src/types.js';
import { testConfig } from '../helpers/config.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const MIN = 60_000;

function config(over: Partial<ThresholdConfig> = {}): ThresholdConfig {
  return testConfig({
    targets: [
      { id: 'web', name: 'Web server', service: 'nginx.service', timeout_seconds: 15, use_sudo: false },
      { id: 'batch', name: 'Batch', service: 'batch.service', timeout_seconds: 15, use_sudo: false, failure_threshold: 2 },
    ],
    peers: [{ id: 'b', name: 'Node B', base_url: 'http://127.0.0.1:1', enabled: true }],
    monitor_dns: { enabled: true, target: '1.1.1.1', interval_seconds: 60, timeout_seconds: 4 },
    ...over,
  });
}

function sample(i: number, states: Record<string, string>): StatusEntry {
  return {
    timestamp: new Date(T0 + i * MIN).toISOString(),
    checks: Object.entries(states).map(([id, state]) => ({
      id, name: id === 'web' ? 'Web server' : 'Batch', ok: state === 'active', state, ...(state === 'active' ? {} : { error: `${state} (exit-code)` }),
    })),
  };
}

async function start(dir: string, opts: { config?: ThresholdConfig; now?: () => number } = {}) {
  const lines: string[] = [];
  const events: IncidentEvent[] = [];
  let clock = T0;
  const now = opts.now ?? (() => clock);
  const log = createLogger({ write: (l) => lines.push(l), now });
  const r = await openIncidentStore({ dir, retentionDays: 30, now, log });
  assert.ok(r.ok);
  const service = createIncidentService({
    node: { id: 'n1', name: 'Node 1' }, config: opts.config ?? config(), store: r.value, log, now, onEvent: (e) => events.push(e),
  });
  return { service, events, lines, setNow: (ms: number) => { clock = ms; } };
}

describe('incident service', () => {
  it('opens and resolves unit incidents from samples, per-target thresholds applied, and tells its listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-incs-'));
    const s = await start(dir);
    s.service.observeStatus(sample(0, { web: 'failed', batch: 'failed' }));
    assert.deepEqual(s.events.map((e) => [e.type, e.incident.subject]), [['open', 'web']], 'batch needs two failures');
    s.service.observeStatus(sample(1, { web: 'failed', batch: 'failed' }));
    s.service.observeStatus(sample(2, { web: 'active', batch: 'active' }));
    s.setNow(T0 + 2 * MIN);
    assert.deepEqual(s.events.map((e) => [e.type, e.incident.subject]), [['open', 'web'], ['open', 'batch'], ['resolve', 'web'], ['resolve', 'batch']]);
    const resolved = s.events[2]!;
    assert.deepEqual(resolved.node, { id: 'n1', name: 'Node 1' });
    assert.equal(resolved.incident.duration_seconds, 120);
    assert.ok(s.lines.some((l) => l.includes('WARN incident opened: unit web (Web server): failed (failed (exit-code)), since 2026-11-28T10:00:00.000Z')), s.lines.join('\n'));
    assert.ok(s.lines.some((l) => l.includes('incident resolved: unit web (Web server) after 2 min')), s.lines.join('\n'));

    const list = s.service.list('24h');
    assert.deepEqual(list.open, []);
    // batch's outage began at its first failure, though its incident opened only at the second.
    assert.deepEqual(list.resolved.map((i) => [i.subject, i.started_at, i.duration_seconds]), [['batch', sample(0, {}).timestamp, 120], ['web', sample(0, {}).timestamp, 120]]);
    await s.service.close();
  });

  it('turns DNS probe results and peer refreshes into incidents with their own default threshold (3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-incs-'));
    const s = await start(dir);
    for (let i = 0; i < 3; i++) {
      s.service.observeProbe({ target: '1.1.1.1', ok: false, latency_ms: 0, error: 'i/o timeout', checked_at: new Date(T0 + i * MIN).toISOString() });
      s.service.observePeer('b', 'Node B', false, 'connection refused', T0 + i * MIN);
    }
    assert.deepEqual(s.events.map((e) => [e.type, e.incident.kind, e.incident.name, e.incident.states, e.incident.errors]), [
      ['open', 'probe', 'DNS probe 1.1.1.1', ['offline'], ['i/o timeout']],
      ['open', 'peer', 'Node B', ['sync-failed'], ['connection refused']],
    ]);
    s.service.observePeer('b', 'Node B', true, undefined, T0 + 3 * MIN);
    assert.equal(s.events.at(-1)?.type, 'resolve');
    assert.equal(s.events.at(-1)?.incident.started_at, new Date(T0).toISOString());
    await s.service.close();
  });

  it('an incident open at shutdown is open after the restart, without a second notification, and closes at the first good sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-incs-'));
    const a = await start(dir);
    a.service.observeStatus(sample(0, { web: 'failed' }));
    a.service.observeStatus(sample(1, { web: 'failed' }));
    await a.service.close();

    const b = await start(dir);
    b.setNow(T0 + 10 * MIN);
    const open = b.service.list('24h').open;
    assert.deepEqual(open.map((i) => [i.subject, i.samples, i.duration_seconds]), [['web', 2, 600]]);
    b.service.observeStatus(sample(10, { web: 'active' }));
    assert.deepEqual(b.events.map((e) => [e.type, e.incident.id, e.incident.ended_at]), [['resolve', open[0]!.id, new Date(T0 + 10 * MIN).toISOString()]]);
    await b.service.close();
  });

  it('quietly closes an open incident whose target left the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jm-incs-'));
    const a = await start(dir);
    a.service.observeStatus(sample(0, { web: 'failed' }));
    await a.service.close();
    const b = await start(dir, { config: config({ targets: [{ id: 'other', name: 'Other', service: 'o.service', timeout_seconds: 15, use_sudo: false }] }) });
    assert.deepEqual(b.service.list('24h').open, []);
    assert.deepEqual(b.service.list('24h').resolved.map((i) => i.subject), ['web']);
    assert.deepEqual(b.events, [], 'no "resolved" notification for a unit nobody watches any more');
    assert.ok(b.lines.some((l) => l.includes('incident closed: unit web (Web server) is no longer monitored')));
    await b.service.close();
  });
});
