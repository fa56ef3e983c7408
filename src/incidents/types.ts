/**
 * Incidents as stored and served (ours; the original has no stored
 * incidents). Times are RFC 3339 strings in UTC; optional fields are omitted
 * when empty, never null. The wire shapes are inferred from `schema.ts`.
 */
import type * as v from 'valibot';
import type { AffectedUnit } from './host-cause.js';
import type * as schema from './schema.js';

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

/** An incident as kept on disk: everything but the derived duration (see schema.ts for each field). */
export type StoredIncident = v.InferOutput<typeof schema.StoredIncidentSchema>;

/** An incident on the wire: the stored fields plus its length so far (`duration_seconds`). */
export type Incident = v.InferOutput<typeof schema.IncidentSchema>;

/** A change the tracker reports. `update` = the states or errors of an open incident changed. */
export interface IncidentChange {
  type: IncidentEventType | 'update';
  incident: StoredIncident;
}

/** GET /api/incidents: every open incident, then those that ended within the range. */
export type IncidentList = v.InferOutput<typeof schema.IncidentListSchema>;

/** An opening or a resolution, as handed to notifications. */
export interface IncidentEvent {
  type: IncidentEventType;
  incident: Incident;
  /** The node that saw it. */
  node: { id: string; name: string };
}
