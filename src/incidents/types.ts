/**
 * Incidents as stored and served (ours; the original has no stored
 * incidents). Times are RFC 3339 strings in UTC; optional fields are omitted
 * when empty, never null.
 */
import type { RangeName } from '../types.js';
import type { AffectedUnit } from './host-cause.js';

export type { AffectedUnit };

/**
 * What failed: a checked unit, a peer that stopped syncing, or the DNS probe.
 * `storage`: the history could not be written (disk full, read-only, permission denied).
 * `host`: one cause outside the units hid many of them (no systemd, bus down,
 * sudo refusing; see host-cause.ts); its subject is the cause.
 */
export type IncidentKind = 'unit' | 'peer' | 'probe' | 'storage' | 'host';

/** Every kind, in the order they are listed (metrics, OpenAPI). */
export const INCIDENT_KINDS: readonly IncidentKind[] = ['unit', 'peer', 'probe', 'storage', 'host'];

/** The two moments of an incident that notifications can be sent for. */
export type IncidentEventType = 'open' | 'resolve';

/** An incident as kept on disk: everything but the derived duration. */
export interface StoredIncident {
  /** Unique and stable: `<kind>:<subject>:<started_at in ms>`. */
  id: string;
  kind: IncidentKind;
  /** Target id, peer id, the probe's target (host:port), or the host cause (e.g. `no-systemd`). */
  subject: string;
  /** Display name: the target's or peer's name, `DNS probe <target>` for the probe. */
  name: string;
  /** Id of the node that saw it (this node). */
  node: string;
  /** The first failing sample of the run that opened it (not when the threshold was reached). */
  started_at: string;
  /** The first passing sample of the run that closed it; absent while open. */
  ended_at?: string;
  /** The last failing sample seen. */
  last_failure_at: string;
  /** Distinct states seen while failing, in first-seen order (bounded). */
  states: string[];
  /** The last distinct errors seen, oldest first (bounded). */
  errors: string[];
  /** Failing samples counted in this incident. */
  samples: number;
  /** Kind `host` only: every unit the cause hid while it lasted, in first-seen order. */
  units?: AffectedUnit[];
}

/** An incident on the wire: the stored fields plus its length so far. */
export interface Incident extends StoredIncident {
  /** ended_at (or now, while open) minus started_at, in whole seconds. */
  duration_seconds: number;
}

/** A change the tracker reports. `update` = the states or errors of an open incident changed. */
export interface IncidentChange {
  type: IncidentEventType | 'update';
  incident: StoredIncident;
}

/** GET /api/incidents. */
export interface IncidentList {
  generated_at: string;
  range: RangeName;
  range_start: string;
  range_end: string;
  /** Every open incident, newest start first. */
  open: Incident[];
  /** Incidents that ended within the range, newest end first, at most `limit`. */
  resolved: Incident[];
  /** How many ended within the range, before `limit` was applied. */
  resolved_total: number;
}

/** An opening or a resolution, as handed to notifications. */
export interface IncidentEvent {
  type: IncidentEventType;
  incident: Incident;
  /** The node that saw it. */
  node: { id: string; name: string };
}
