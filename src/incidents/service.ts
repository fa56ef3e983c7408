/**
 * Incidents as the daemon runs them: samples in (units, DNS probe, peer
 * refreshes), the tracker decides, the store keeps, listeners (notifications)
 * hear openings and resolutions. Nothing here waits on a listener.
 */
import type { Logger } from '../log.js';
import type { ConnectivityStatus, RangeName, StatusEntry } from '../types.js';
import { formatDuration } from './duration.js';
import { listIncidents, withDuration } from './list.js';
import type { IncidentStore } from './store.js';
import { thresholdsFor, type ThresholdConfig } from './thresholds.js';
import { createTracker, type Observation } from './tracker.js';
import type { IncidentChange, IncidentEvent, IncidentKind, IncidentList, StoredIncident } from './types.js';

export interface IncidentServiceOptions {
  node: { id: string; name: string };
  config: ThresholdConfig;
  store: IncidentStore;
  log: Logger;
  now: () => number;
  /** Hears every opening and resolution after it is recorded; must return at once (see src/notify). */
  onEvent?: (event: IncidentEvent) => void;
}

export interface IncidentService {
  /** A finished sweep: one observation per unit. */
  observeStatus(entry: StatusEntry): void;
  /** A DNS probe result. */
  observeProbe(sample: ConnectivityStatus): void;
  /** A peer refresh: `ok` false = it failed, with `error`. */
  observePeer(peerId: string, name: string, ok: boolean, error: string | undefined, atMs: number): void;
  /** A history write: `ok` false = it failed (ENOSPC, EROFS, EACCES …), with `error`. */
  observeStorage(ok: boolean, error: string | undefined, atMs: number): void;
  /** GET /api/incidents. */
  list(range: RangeName, limit?: number): IncidentList;
  /** Writes what open incidents counted since their last line, then closes the store. */
  close(): Promise<void>;
}

const KIND_LABEL: Record<IncidentKind, string> = { unit: 'unit', peer: 'peer', probe: 'dns probe', storage: 'storage' };

/** Subjects the config still monitors; an incident of any other can never close by itself. */
function monitored(config: ThresholdConfig): (kind: IncidentKind, subject: string) => boolean {
  const targets = new Set(config.targets.map((t) => t.id));
  const peers = new Set(config.peers.filter((p) => p.enabled).map((p) => p.id));
  const probe = config.monitor_dns.enabled ? config.monitor_dns.target.trim() : undefined;
  return (kind, subject) =>
    kind === 'storage' ? true : kind === 'unit' ? targets.has(subject) : kind === 'peer' ? peers.has(subject) : subject === probe;
}

export function createIncidentService(opts: IncidentServiceOptions): IncidentService {
  const { store, log, now, node } = opts;
  const tracker = createTracker({ node: node.id, thresholds: thresholdsFor(opts.config) }, store.openIncidents());
  /** Samples count of each open incident as last written, to checkpoint only what changed. */
  const written = new Map<string, number>(store.openIncidents().map((i) => [i.id, i.samples]));

  const describe = (inc: StoredIncident): string =>
    `${KIND_LABEL[inc.kind]} ${inc.subject}${inc.name !== inc.subject ? ` (${inc.name})` : ''}`;

  const apply = (changes: IncidentChange[], notify: boolean): void => {
    for (const change of changes) {
      const inc = change.incident;
      store.record(change);
      if (change.type === 'resolve') written.delete(inc.id);
      else written.set(inc.id, inc.samples);
      if (change.type === 'update') continue;
      const wire = withDuration(inc, now());
      if (change.type === 'open') {
        const last = inc.errors[inc.errors.length - 1];
        const detail = last !== undefined && !inc.states.includes(last) ? ` (${last})` : '';
        log.warn(`incident opened: ${describe(inc)}: ${inc.states.join(', ')}${detail}, since ${inc.started_at}`);
      } else {
        log.info(`incident resolved: ${describe(inc)} after ${formatDuration(wire.duration_seconds)}`);
      }
      if (notify) opts.onEvent?.({ type: change.type, incident: wire, node });
    }
  };

  const observe = (o: Observation): void => {
    if (!Number.isFinite(o.atMs) || o.subject === '') return;
    apply(tracker.observe(o), true);
  };

  // An incident whose subject left the config closes now, quietly: nobody must be told it "recovered".
  const retired = tracker.retire(monitored(opts.config), now());
  for (const c of retired) log.info(`incident closed: ${describe(c.incident)} is no longer monitored`);
  apply(retired, false);

  return {
    observeStatus(entry) {
      const atMs = Date.parse(entry.timestamp);
      for (const c of entry.checks) {
        observe({
          kind: 'unit',
          subject: c.id,
          name: c.name !== '' ? c.name : c.id,
          ok: c.ok,
          ...(c.state !== undefined ? { state: c.state } : {}),
          ...(c.error !== undefined ? { error: c.error } : {}),
          atMs,
        });
      }
    },
    observeProbe(s) {
      observe({
        kind: 'probe',
        subject: s.target,
        name: `DNS probe ${s.target}`,
        ok: s.ok,
        state: 'offline',
        ...(s.error !== undefined ? { error: s.error } : {}),
        atMs: Date.parse(s.checked_at),
      });
    },
    observePeer(peerId, name, ok, error, atMs) {
      observe({
        kind: 'peer',
        subject: peerId,
        name: name !== '' ? name : peerId,
        ok,
        state: 'sync-failed',
        ...(error !== undefined ? { error } : {}),
        atMs,
      });
    },
    observeStorage(ok, error, atMs) {
      observe({
        kind: 'storage',
        subject: 'history',
        name: 'History writes',
        ok,
        state: 'write-failed',
        ...(error !== undefined ? { error } : {}),
        atMs,
      });
    },
    list: (range, limit) => listIncidents(store.all(), range, now(), limit),
    async close() {
      for (const inc of tracker.openIncidents()) {
        if (written.get(inc.id) !== inc.samples) store.record({ type: 'update', incident: inc });
      }
      await store.close();
    },
  };
}
