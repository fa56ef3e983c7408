/**
 * Incidents on the wire, as valibot schemas: the one definition of their
 * shape. `types.ts` infers the TypeScript types from them and the OpenAPI
 * document (src/http/openapi-schemas.ts) its components.
 */
import * as v from 'valibot';
import { count, list, opt, rangeEntries, str, time } from '../wire-schema.js';
import { INCIDENT_KINDS } from './types.js';

/** A unit a host-level cause hid. */
export const AffectedUnitSchema = v.strictObject({ id: str('Target id.'), name: str() });

/** The fields kept on disk (incidents.jsonl). */
const storedEntries = {
  id: str('<kind>:<subject>:<start in ms>, stable.'),
  kind: v.pipe(
    v.picklist(INCIDENT_KINDS),
    v.description(
      'host: one cause outside the units (no systemd, bus unreachable, sudo refusing, systemd not answering) hid the units listed in `units`; they have no incident of their own meanwhile.',
    ),
  ),
  subject: str(
    'Target id, peer id, the probe target, or for kind host the cause: no-systemd, systemctl-missing, sudo-failing, bus-unreachable, systemd-not-answering, check-workers-failing.',
  ),
  name: str('The target\'s or peer\'s name, "DNS probe <target>" for the probe.'),
  node: str('The node that saw it.'),
  started_at: time('The first failing sample of the run that opened it (not when the threshold was reached).'),
  ended_at: opt(time('The first passing sample of the run that closed it; absent while open.')),
  last_failure_at: time('The last failing sample seen.'),
  states: list(str(), 'Distinct states seen while failing, in first-seen order (bounded).'),
  errors: list(str(), 'The last distinct errors seen, oldest first (bounded).'),
  samples: count('Failing samples counted.'),
  units: opt(list(AffectedUnitSchema, 'Kind host only: every unit the cause hid while it lasted, in first-seen order.')),
};

/** An incident as kept on disk: everything but the derived duration. */
export const StoredIncidentSchema = v.strictObject(storedEntries);

/** An incident on the wire: the stored fields plus its length so far. */
export const IncidentSchema = v.strictObject({
  ...storedEntries,
  duration_seconds: count('Up to ended_at, or up to now while open.'),
});

/** GET /api/incidents. */
export const IncidentListSchema = v.strictObject({
  ...rangeEntries,
  open: list(IncidentSchema, 'Every open incident, newest start first.'),
  resolved: list(IncidentSchema, 'Incidents that ended within the range, newest end first.'),
  resolved_total: count('How many ended within the range, before limit.'),
});
