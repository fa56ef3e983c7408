/** The incident metrics as Prometheus reads them: open incidents per kind, a host incident's units, held-back messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { registerIncidentMetrics } from '../../src/metrics/incident-metrics.js';
import type { IncidentKind } from '../../src/incidents/types.js';

test('every kind has a series (0 when none is open); host units per cause; held back per receiver', async () => {
  const registry = new Registry();
  let open: Array<{ kind: IncidentKind; subject: string; units?: unknown[] }> = [
    { kind: 'host', subject: 'no-systemd', units: new Array(500).fill({ id: 'x', name: 'x' }) },
    { kind: 'unit', subject: 'web' },
    { kind: 'unit', subject: 'db' },
  ];
  registerIncidentMetrics(registry, 'n1', { openIncidents: () => open, heldBack: () => [{ receiver: 'phone', count: 7 }, { receiver: 'hook', count: 0 }] });
  const text = await registry.metrics();
  for (const [kind, n] of [['unit', 2], ['peer', 0], ['probe', 0], ['storage', 0], ['host', 1]] as const) {
    assert.match(text, new RegExp(`^jobmonitor_incidents_open\\{node="n1",kind="${kind}"\\} ${n}$`, 'm'), kind);
  }
  assert.match(text, /^jobmonitor_host_incident_units\{node="n1",cause="no-systemd"\} 500$/m);
  assert.match(text, /^jobmonitor_notifications_held_back_total\{node="n1",receiver="phone"\} 7$/m);
  open = [];
  const after = await registry.metrics();
  assert.doesNotMatch(after, /^jobmonitor_host_incident_units\{/m, 'gone when no host incident is open');
  assert.match(after, /^jobmonitor_incidents_open\{node="n1",kind="host"\} 0$/m);
});
