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

function describe(inc: StoredIncident): string {
  return `${KIND_LABEL[inc.kind]} ${inc.subject}${inc.name !== inc.subject ? ` (${inc.name})` : ''}${inc.units !== undefined ? `, ${inc.units.length} unit(s) unchecked` : ''}`;
}

function logChange(log: Logger, type: 'open' | 'resolve', inc: StoredIncident, durationSeconds: number): void {
  if (type === 'open') {
    const last = inc.errors[inc.errors.length - 1];
    const detail = last !== undefined && !inc.states.includes(last) ? ` (${last})` : '';
    log.warn(`incident opened: ${describe(inc)}: ${inc.states.join(', ')}${detail}, since ${inc.started_at}`);
  } else {
    log.info(`incident resolved: ${describe(inc)} after ${formatDuration(durationSeconds)}`);
  }
}

/**
 * A sweep's observations: every host cause (an absent one is a pass, which
 * closes its incident), then each unit the causes did not hide.
 */
function statusObservations(entry: StatusEntry, hostCause: HostCauseOptions | undefined): Observation[] {
  const atMs = Date.parse(entry.timestamp);
  const out: Observation[] = [];
  const findings = new Map(findHostCauses(entry.checks, hostCause).map((f) => [f.cause, f]));
  const hidden = new Set<string>();
  for (const cause of HOST_CAUSES) {
    const f = findings.get(cause);
    for (const u of f?.units ?? []) hidden.add(u.id);
    out.push({
      kind: 'host',
      subject: cause,
      name: HOST_CAUSE_NAMES[cause],
      ok: f === undefined,
      state: cause,
      ...(f !== undefined ? { error: f.error, units: f.units } : {}),
      atMs,
    });
  }
  for (const c of entry.checks) {
    if (hidden.has(c.id)) continue;
    out.push({
      kind: 'unit',
      subject: c.id,
      name: c.name !== '' ? c.name : c.id,
      ok: c.ok,
      ...(c.state !== undefined ? { state: c.state } : {}),
      ...(c.error !== undefined ? { error: c.error } : {}),
      atMs,
    });
  }
  return out;
}

/** One observation of a subject that is not a unit: `state` is what its failure is called. */
function single(kind: IncidentKind, subject: string, name: string, ok: boolean, state: string, error: string | undefined, atMs: number): Observation {
  return { kind, subject, name, ok, state, ...(error !== undefined ? { error } : {}), atMs };
}

export function createIncidentService(opts: IncidentServiceOptions): IncidentService {
  const { store, log, now, node } = opts;
  const tracker = createTracker({ node: node.id, thresholds: thresholdsFor(opts.config) }, store.openIncidents());
  /** Samples count of each open incident as last written, to checkpoint only what changed. */
  const written = new Map<string, number>(store.openIncidents().map((i) => [i.id, i.samples]));

  /** Changes recorded and logged; the events to report (none when `notify` is false). */
  const apply = (changes: IncidentChange[], notify: boolean): IncidentEvent[] => {
    const events: IncidentEvent[] = [];
    for (const change of changes) {
      const inc = change.incident;
      store.record(change);
      if (change.type === 'resolve') written.delete(inc.id);
      else written.set(inc.id, inc.samples);
      if (change.type === 'update') continue;
      const wire = withDuration(inc, now());
      logChange(log, change.type, inc, wire.duration_seconds);
      if (notify) events.push({ type: change.type, incident: wire, node });
    }
    return events;
  };

  /** Observes them all, then hands the events over at once (one sweep's together, so notifications can group them). */
  const observe = (observations: readonly Observation[]): void => {
    const events = observations
      .filter((o) => Number.isFinite(o.atMs) && o.subject !== '')
      .flatMap((o) => apply(tracker.observe(o), true));
    if (events.length === 0) return;
    for (const e of events) opts.onEvent?.(e);
    opts.onEvents?.(events);
  };

  // An incident whose subject left the config closes now, quietly: nobody must be told it "recovered".
  const retired = tracker.retire(monitored(opts.config), now());
  for (const c of retired) log.info(`incident closed: ${describe(c.incident)} is no longer monitored`);
  apply(retired, false);

  return {
    observeStatus: (entry) => observe(statusObservations(entry, opts.hostCause)),
    observeProbe: (s) => observe([single('probe', s.target, `DNS probe ${s.target}`, s.ok, 'offline', s.error, Date.parse(s.checked_at))]),
    observePeer: (peerId, name, ok, error, atMs) => observe([single('peer', peerId, name !== '' ? name : peerId, ok, 'sync-failed', error, atMs)]),
    observeStorage: (ok, error, atMs) => observe([single('storage', 'history', 'History writes', ok, 'write-failed', error, atMs)]),
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
