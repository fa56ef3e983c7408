/**
 * Every body the API sends, as valibot schemas: the one definition of each
 * shape. `src/types.ts` infers the TypeScript types from them
 * (`v.InferOutput`) and `src/http/openapi-schemas.ts` turns them into the
 * OpenAPI components (`@valibot/to-json-schema`).
 *
 * The original Go JobMonitor's (v1.3) shapes are field for field its wire
 * format (see shared/reference/API.md); fields described as "Ours" are
 * additions an original node ignores. Times are RFC 3339 strings in UTC.
 * Optional fields are omitted when empty (`v.exactOptional`: never
 * `undefined`, never `null`), exactly where the original omits them. Objects
 * are closed (`v.strictObject`), so a field added to an answer without being
 * added here fails the OpenAPI test.
 *
 * These schemas describe what we send; they are not used to parse (what a
 * peer sends is read leniently by `src/peers/schema.ts`, whose output has
 * these types). Nothing here runs at import time beyond building the schema
 * objects; workers and the dashboard import only the inferred types.
 */
import * as v from 'valibot';

/** A string, with its OpenAPI description. */
export const str = (description?: string) =>
  description === undefined ? v.string() : v.pipe(v.string(), v.description(description));
/** An RFC 3339 time (`format: date-time`). */
export const time = (description?: string) =>
  description === undefined ? v.pipe(v.string(), v.isoTimestamp()) : v.pipe(v.string(), v.isoTimestamp(), v.description(description));
/** A whole number, 0 or more. */
export const count = (description?: string) =>
  description === undefined
    ? v.pipe(v.number(), v.integer(), v.minValue(0))
    : v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));
/** A number (not necessarily whole). */
export const num = (description?: string) =>
  description === undefined ? v.number() : v.pipe(v.number(), v.description(description));
/** A number, 0 or more. */
export const nonNegative = (description: string) => v.pipe(v.number(), v.minValue(0), v.description(description));
export const bool = (description?: string) =>
  description === undefined ? v.boolean() : v.pipe(v.boolean(), v.description(description));
/** A list, with its OpenAPI description. */
export const list = <S extends v.GenericSchema>(item: S, description?: string) =>
  description === undefined ? v.array(item) : v.pipe(v.array(item), v.description(description));
/** A field omitted when empty. */
export const opt = v.exactOptional;

/** The range names the API accepts (aliases normalised). */
export const RANGE_NAMES = ['24h', '30d'] as const;
export const RangeNameSchema = v.pipe(v.picklist(RANGE_NAMES), v.description('The range used, aliases normalised.'));

/** The fields every ranged answer starts with. */
export const rangeEntries = {
  generated_at: time(),
  range: RangeNameSchema,
  range_start: time(),
  range_end: time(),
};

export const CheckResultSchema = v.pipe(
  v.strictObject({
    id: str('Target id.'),
    name: str('Target name.'),
    ok: bool('True only when the unit is active.'),
    state: opt(str('systemd ActiveState ("active", "failed", ...); "unknown" when it could not be read.')),
    error: opt(str('Set whenever ok is false: the state, or why the check failed.')),
    sub_state: opt(str('Ours: systemd SubState ("running", "dead", ...).')),
    result: opt(str('Ours: systemd Result ("success", "exit-code", ...).')),
    since: opt(time('Ours: when the unit entered its current ActiveState.')),
    restarts: opt(count("Ours: systemd's NRestarts.")),
    duration_ms: opt(nonNegative('Ours: how long the check took, in milliseconds.')),
    journal: opt(
      list(str(), 'Ours, latest sample only (never stored), with journal_lines > 0: the last journal lines of a unit that is not ok (short-iso format).'),
    ),
    journal_error: opt(str('Ours, latest sample only: why `journal` could not be read (journalctl missing, not permitted, timed out).')),
  }),
  v.description("One unit's result in a sample. Extra fields are ours; the original ignores them."),
);

export const StatusEntrySchema = v.pipe(
  v.strictObject({ timestamp: time('Start of the sweep.'), checks: list(CheckResultSchema) }),
  v.description('One sample: every target checked in one sweep.'),
);

export const EmptyStatusSchema = v.pipe(
  v.strictObject({ checks: v.pipe(v.array(v.never()), v.maxLength(0)), timestamp: v.null() }),
  v.description('The legacy /api/status before the first sample, as the original answers.'),
);

export const TargetSchema = v.pipe(
  v.strictObject({
    id: str(),
    name: str(),
    service: str('systemd unit, ".service" added when no suffix was given.'),
    url: opt(str('A link shown with the target.')),
    timeout_seconds: num(),
    use_sudo: bool(),
  }),
  v.description('A configured target as the API shows it.'),
);

export const NodeFeaturesSchema = v.pipe(
  v.strictObject({ implementation: str(), version: str(), features: list(str()) }),
  v.description('Ours: tells a peer of ours what it may ask for (e.g. "since").'),
);

export const NodeInfoSchema = v.strictObject({
  id: str(),
  name: str(),
  interval_minutes: num('Sampling interval in whole minutes (at least 1).'),
  connectivity_interval_seconds: opt(num('Set when the DNS probe is on.')),
  interval_seconds: opt(num('Ours: the exact interval; the original only sends whole minutes.')),
  jobmonitor: opt(NodeFeaturesSchema),
});

export const ConnectivityStatusSchema = v.pipe(
  v.strictObject({
    target: str('host:port probed.'),
    ok: bool(),
    latency_ms: nonNegative('TCP connect time; 0 on failure.'),
    error: opt(str()),
    checked_at: time(),
  }),
  v.description('One DNS probe sample.'),
);

export const ServiceUptimeSchema = v.strictObject({
  id: str(),
  name: str(),
  uptime_percent: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  total_checks: count(),
  passing: count(),
  failing: count('Failing samples plus missing slots.'),
  missing_slots: count(),
  last_state: opt(str()),
  last_updated: opt(time('Whole-second RFC 3339, as the original.')),
});

export const TIMELINE_CLASSES = ['state-success', 'state-error', 'state-warning', 'state-missing'] as const;

export const TimelineDetailSchema = v.strictObject({ timestamp: time(), state: opt(str()), error: opt(str()) });

export const TimelinePointSchema = v.strictObject({
  className: v.picklist(TIMELINE_CLASSES),
  label: str('"Operational", "Unavailable", "Transitioning" or "No data".'),
  start: time(),
  end: time(),
  details: opt(list(TimelineDetailSchema, 'Up to 4 error or warning samples of the bucket.')),
});

export const ServiceTimelineSchema = v.strictObject({
  service_id: str(),
  service_name: str(),
  timeline: list(TimelinePointSchema, '80 buckets.'),
});

/** Ours, beside the original's fields in PeerSnapshot: freshness of a peer's data. */
export const peerSyncEntries = {
  stale: opt(bool("Ours: the peer's last refresh failed; this is its last good data.")),
  last_success_at: opt(time('Ours: the last successful refresh.')),
  consecutive_failures: opt(count('Ours: failed refreshes in a row.')),
  syncing: opt(bool("Ours: present (true) while the peer's older history is still being read; what is shown is its newest data.")),
};

export const PeerSnapshotSchema = v.pipe(
  v.strictObject({
    node: NodeInfoSchema,
    status: opt(StatusEntrySchema),
    connectivity: opt(ConnectivityStatusSchema),
    connectivity_history: opt(list(ConnectivityStatusSchema)),
    connectivity_timeline: opt(list(TimelinePointSchema)),
    history: opt(list(StatusEntrySchema)),
    service_timelines: opt(list(ServiceTimelineSchema)),
    services: list(ServiceUptimeSchema),
    targets: opt(list(TargetSchema)),
    updated_at: time(),
    error: opt(str("Why the peer's last refresh failed.")),
    source: v.picklist(['local', 'peer']),
    ...peerSyncEntries,
  }),
  v.description("One node's view in /api/cluster."),
);

/** GET /api/node/status. */
export const NodeStatusSchema = v.strictObject({
  node: NodeInfoSchema,
  status: opt(StatusEntrySchema),
  connectivity: opt(ConnectivityStatusSchema),
  targets: list(TargetSchema),
  generated_at: time(),
});

/** GET /api/node/history. */
export const NodeHistorySchema = v.strictObject({
  node: NodeInfoSchema,
  history: list(StatusEntrySchema),
  connectivity: opt(list(ConnectivityStatusSchema)),
  connectivity_timeline: list(TimelinePointSchema),
  targets: list(TargetSchema),
  ...rangeEntries,
  since: opt(time('Ours: echoes the since parameter.')),
  more: opt(
    bool('Ours, with since: true when newer entries were left out by limit (the oldest limit entries are sent); ask again from the last one.'),
  ),
});

/** GET /api/node/uptime. */
export const NodeUptimeSchema = v.strictObject({ node: NodeInfoSchema, services: list(ServiceUptimeSchema), ...rangeEntries });

/** GET /api/cluster. */
export const ClusterSchema = v.strictObject({
  ...rangeEntries,
  nodes: list(PeerSnapshotSchema, 'This node first, then peers in config order.'),
});
