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
import { findHostCauses, HOST_CAUSE_NAMES, HOST_CAUSES, type HostCauseOptions } from './host-cause.js';
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
  /**
   * Hears the openings and resolutions of one observation at once (all those
   * of one sweep together, so notifications can group them); must return at once.
   */
  onEvents?: (events: IncidentEvent[]) => void;
  /** How a sweep's shared cause is found (see host-cause.ts). */
  hostCause?: HostCauseOptions;
}

export interface IncidentService {
  /**
   * A finished sweep: one observation per unit, except units hidden by a host
   * cause (host-cause.ts): those feed one `host` incident per cause instead,
   * and their own incidents neither open nor close until the cause clears.
   */
  observeStatus(entry: StatusEntry): void;
  /** A DNS probe result. */
  observeProbe(sample: ConnectivityStatus): void;
  /** A peer refresh: `ok` false = it failed, with `error`. */
  observePeer(peerId: string, name: string, ok: boolean, error: string | undefined, atMs: number): void;
  /** A history write: `ok` false = it failed (ENOSPC, EROFS, EACCES …), with `error`. */
  observeStorage(ok: boolean, error: string | undefined, atMs: number): void;
  /** The open incidents, as stored. */
  openIncidents(): StoredIncident[];
  /** GET /api/incidents. */
  list(range: RangeName, limit?: number): IncidentList;
  /** Writes what open incidents counted since their last line, then closes the store. */
  close(): Promise<void>;
}

const KIND_LABEL: Record<IncidentKind, string> = { unit: 'unit', peer: 'peer', probe: 'dns probe', storage: 'storage', host: 'host' };

/** Subjects the config still monitors; an incident of any other can never close by itself. */
function monitored(config: ThresholdConfig): (kind: IncidentKind, subject: string) => boolean {
  const targets = new Set(config.targets.map((t) => t.id));
  const peers = new Set(config.peers.filter((p) => p.enabled).map((p) => p.id));
  const probe = config.monitor_dns.enabled ? config.monitor_dns.target.trim() : undefined;
  return (kind, subject) =>
    kind === 'storage' || kind === 'host' ? true : kind === 'unit' ? targets.has(subject) : kind === 'peer' ? peers.has(subject) : subject === probe;
}

export function createIncidentService(opts: IncidentServiceOptions): IncidentService {
  const { store, log, now, node } = opts;
  const tracker = createTracker({ node: node.id, thresholds: thresholdsFor(opts.config) }, store.openIncidents());
  /** Samples count of each open incident as last written, to checkpoint only what changed. */
  const written = new Map<string, number>(store.openIncidents().map((i) => [i.id, i.samples]));

  const describe = (inc: StoredIncident): string =>
    `${KIND_LABEL[inc.kind]} ${inc.subject}${inc.name !== inc.subject ? ` (${inc.name})` : ''}${inc.units !== undefined ? `, ${inc.units.length} unit(s) unchecked` : ''}`;

  /** Changes to report, recorded and logged; the events are handed over once the observation is done. */
  const apply = (changes: IncidentChange[], notify: boolean, events: IncidentEvent[] = []): IncidentEvent[] => {
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
      if (notify) events.push({ type: change.type, incident: wire, node });
    }
    return events;
  };

  const emit = (events: IncidentEvent[]): void => {
    if (events.length === 0) return;
    for (const e of events) opts.onEvent?.(e);
    opts.onEvents?.(events);
  };

  const observeInto = (o: Observation, events: IncidentEvent[]): void => {
    if (!Number.isFinite(o.atMs) || o.subject === '') return;
    apply(tracker.observe(o), true, events);
  };
  const observe = (o: Observation): void => {
    const events: IncidentEvent[] = [];
    observeInto(o, events);
    emit(events);
  };

  // An incident whose subject left the config closes now, quietly: nobody must be told it "recovered".
  const retired = tracker.retire(monitored(opts.config), now());
  for (const c of retired) log.info(`incident closed: ${describe(c.incident)} is no longer monitored`);
  apply(retired, false);

  return {
    observeStatus(entry) {
      const atMs = Date.parse(entry.timestamp);
      const events: IncidentEvent[] = [];
      const findings = new Map(findHostCauses(entry.checks, opts.hostCause).map((f) => [f.cause, f]));
      const hidden = new Set<string>();
      // Every cause is observed at every sweep: an absent one is a pass, which closes its incident.
      for (const cause of HOST_CAUSES) {
        const f = findings.get(cause);
        for (const u of f?.units ?? []) hidden.add(u.id);
        observeInto({
          kind: 'host',
          subject: cause,
          name: HOST_CAUSE_NAMES[cause],
          ok: f === undefined,
          state: cause,
          ...(f !== undefined ? { error: f.error, units: f.units } : {}),
          atMs,
        }, events);
      }
      for (const c of entry.checks) {
        if (hidden.has(c.id)) continue;
        observeInto({
          kind: 'unit',
          subject: c.id,
          name: c.name !== '' ? c.name : c.id,
          ok: c.ok,
          ...(c.state !== undefined ? { state: c.state } : {}),
          ...(c.error !== undefined ? { error: c.error } : {}),
          atMs,
        }, events);
      }
      emit(events);
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
    openIncidents: () => store.openIncidents(),
    list: (range, limit) => listIncidents(store.all(), range, now(), limit),
    async close() {
      for (const inc of tracker.openIncidents()) {
        if (written.get(inc.id) !== inc.samples) store.record({ type: 'update', incident: inc });
      }
      await store.close();
    },
  };
}
