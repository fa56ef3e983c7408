/**
 * Incident and notification metrics: open incidents per kind (host included),
 * the units each open host incident hides, and what receivers' rate limits
 * held back. Read from the live incident service and notifier at each scrape.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { prom } from './prom.js';
import { INCIDENT_KINDS, type IncidentKind } from '../incidents/types.js';

export interface IncidentMetricSources {
  /** The open incidents (kind, subject, and a host incident's units). */
  openIncidents: () => ReadonlyArray<{ kind: IncidentKind; subject: string; units?: readonly unknown[] }>;
  /** Per receiver, notifications held back by its rate limit since start. */
  heldBack: () => ReadonlyArray<{ receiver: string; count: number }>;
}

export function registerIncidentMetrics(registry: Registry, node: string, src: IncidentMetricSources): void {
  new prom.Gauge({
    name: 'jobmonitor_incidents_open',
    help: 'Open incidents by kind (unit, peer, probe, storage, host); a host incident stands for every unit its cause hides.',
    labelNames: ['node', 'kind'],
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      const counts = new Map<IncidentKind, number>(INCIDENT_KINDS.map((k) => [k, 0]));
      for (const inc of src.openIncidents()) counts.set(inc.kind, (counts.get(inc.kind) ?? 0) + 1);
      for (const [kind, n] of counts) this.set({ node, kind }, n);
    },
  });
  new prom.Gauge({
    name: 'jobmonitor_host_incident_units',
    help: 'Units an open host incident lists (checks hidden by the cause); absent when no host incident is open.',
    labelNames: ['node', 'cause'],
    registers: [registry],
    collect(this: Gauge) {
      this.reset();
      for (const inc of src.openIncidents()) if (inc.kind === 'host') this.set({ node, cause: inc.subject }, inc.units?.length ?? 0);
    },
  });
  new prom.Counter({
    name: 'jobmonitor_notifications_held_back_total',
    help: "Notifications a receiver's rate limit (rate_limit_per_hour) held back.",
    labelNames: ['node', 'receiver'],
    registers: [registry],
    collect(this: Counter) {
      this.reset();
      for (const h of src.heldBack()) this.inc({ node, receiver: h.receiver }, h.count);
    },
  });
}
