/** Incident events for notification tests. */
import type { IncidentEvent } from '../../src/incidents/types.js';

export function openEvent(over: Partial<IncidentEvent['incident']> = {}): IncidentEvent {
  return {
    type: 'open',
    node: { id: 'n1', name: 'Node 1' },
    incident: {
      id: 'unit:web:1764324000000', kind: 'unit', subject: 'web', name: 'Web server', node: 'n1',
      started_at: '2026-11-28T10:00:00.000Z', last_failure_at: '2026-11-28T10:05:00.000Z',
      states: ['failed'], errors: ['Unit nginx.service entered failed state (exit-code)'], samples: 2, duration_seconds: 300,
      ...over,
    },
  };
}

export function resolveEvent(): IncidentEvent {
  const e = openEvent({ ended_at: '2026-11-28T10:12:00.000Z', duration_seconds: 720, states: ['failed', 'activating'] });
  return { ...e, type: 'resolve' };
}
