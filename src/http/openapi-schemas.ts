/**
 * JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses) of every body the HTTP
 * API sends: the original JobMonitor's wire shapes (src/types.ts) plus ours.
 * Objects are closed (`additionalProperties: false`), so a field added to a
 * response without being documented here fails the OpenAPI test.
 */

export type Schema = Record<string, unknown>;

/** A reference to a schema in components.schemas. */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** A closed object: `required` fields always present, `optional` ones omitted when empty. */
export function object(required: Record<string, Schema>, optional: Record<string, Schema> = {}, description?: string): Schema {
  return {
    type: 'object',
    ...(description !== undefined ? { description } : {}),
    properties: { ...required, ...optional },
    required: Object.keys(required),
    additionalProperties: false,
  };
}

const str = (description?: string): Schema => ({ type: 'string', ...(description !== undefined ? { description } : {}) });
const time = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description !== undefined ? { description } : {}) });
const count = (description?: string): Schema => ({ type: 'integer', minimum: 0, ...(description !== undefined ? { description } : {}) });
const num = (description?: string): Schema => ({ type: 'number', ...(description !== undefined ? { description } : {}) });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description !== undefined ? { description } : {}) });
const list = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description !== undefined ? { description } : {}) });
const range: Schema = { type: 'string', enum: ['24h', '30d'], description: 'The range used, aliases normalised.' };

const rangeFields = {
  generated_at: time(),
  range,
  range_start: time(),
  range_end: time(),
};

/** Every schema, by name (components.schemas). */
export const SCHEMAS: Record<string, Schema> = {
  CheckResult: object(
    { id: str('Target id.'), name: str('Target name.'), ok: bool('True only when the unit is active.') },
    {
      state: str('systemd ActiveState ("active", "failed", ...); "unknown" when it could not be read.'),
      error: str('Set whenever ok is false: the state, or why the check failed.'),
      sub_state: str('Ours: systemd SubState ("running", "dead", ...).'),
      result: str('Ours: systemd Result ("success", "exit-code", ...).'),
      since: time('Ours: when the unit entered its current ActiveState.'),
      restarts: count("Ours: systemd's NRestarts."),
      duration_ms: { type: 'number', minimum: 0, description: 'Ours: how long the check took.' },
      journal: list(str(), 'Ours, latest sample only (never stored), with journal_lines > 0: the last journal lines of a unit that is not ok (short-iso format).'),
    },
    "One unit's result in a sample.",
  ),
  StatusEntry: object({ timestamp: time('Start of the sweep.'), checks: list(ref('CheckResult')) }, {}, 'One sample: every target checked in one sweep.'),
  EmptyStatus: object(
    { checks: { type: 'array', maxItems: 0 }, timestamp: { type: 'null' } },
    {},
    'The legacy /api/status before the first sample, as the original answers.',
  ),
  Target: object(
    { id: str(), name: str(), service: str('systemd unit, ".service" added when no suffix was given.'), timeout_seconds: num(), use_sudo: bool() },
    { url: str('A link shown with the target.') },
  ),
  NodeFeatures: object(
    { implementation: str(), version: str(), features: list(str()) },
    {},
    'Ours: tells a peer of ours what it may ask for (e.g. "since").',
  ),
  NodeInfo: object(
    { id: str(), name: str(), interval_minutes: num('Sampling interval in whole minutes (at least 1).') },
    {
      connectivity_interval_seconds: num('Set when the DNS probe is on.'),
      interval_seconds: num('Ours: the exact interval.'),
      jobmonitor: ref('NodeFeatures'),
    },
  ),
  ConnectivityStatus: object(
    { target: str('host:port probed.'), ok: bool(), latency_ms: { type: 'number', minimum: 0, description: 'TCP connect time; 0 on failure.' }, checked_at: time() },
    { error: str() },
    'One DNS probe sample.',
  ),
  ServiceUptime: object(
    {
      id: str(), name: str(),
      uptime_percent: { type: 'number', minimum: 0, maximum: 100 },
      total_checks: count(), passing: count(), failing: count('Failing samples plus missing slots.'), missing_slots: count(),
    },
    { last_state: str(), last_updated: time() },
  ),
  TimelineDetail: object({ timestamp: time() }, { state: str(), error: str() }),
  TimelinePoint: object(
    {
      className: { type: 'string', enum: ['state-success', 'state-error', 'state-warning', 'state-missing'] },
      label: str('"Operational", "Unavailable", "Transitioning" or "No data".'),
      start: time(), end: time(),
    },
    { details: list(ref('TimelineDetail'), 'Up to 4 error or warning samples of the bucket.') },
  ),
  ServiceTimeline: object({ service_id: str(), service_name: str(), timeline: list(ref('TimelinePoint'), '80 buckets.') }),
  PeerSnapshot: object(
    {
      node: ref('NodeInfo'),
      services: list(ref('ServiceUptime')),
      updated_at: time(),
      source: { type: 'string', enum: ['local', 'peer'] },
    },
    {
      status: ref('StatusEntry'),
      connectivity: ref('ConnectivityStatus'),
      connectivity_history: list(ref('ConnectivityStatus')),
      connectivity_timeline: list(ref('TimelinePoint')),
      history: list(ref('StatusEntry')),
      service_timelines: list(ref('ServiceTimeline')),
      targets: list(ref('Target')),
      error: str("Why the peer's last refresh failed."),
      stale: bool("Ours: the peer's last refresh failed; this is its last good data."),
      last_success_at: time('Ours: the last successful refresh.'),
      consecutive_failures: count('Ours: failed refreshes in a row.'),
      syncing: bool("Ours: present (true) while the peer's older history is still being read; what is shown is its newest data."),
    },
    "One node's view in /api/cluster.",
  ),
  NodeStatus: object(
    { node: ref('NodeInfo'), targets: list(ref('Target')), generated_at: time() },
    { status: ref('StatusEntry'), connectivity: ref('ConnectivityStatus') },
  ),
  NodeHistory: object(
    { node: ref('NodeInfo'), history: list(ref('StatusEntry')), connectivity_timeline: list(ref('TimelinePoint')), targets: list(ref('Target')), ...rangeFields },
    {
      connectivity: list(ref('ConnectivityStatus')),
      since: time('Ours: echoes the since parameter.'),
      more: { type: 'boolean', description: 'Ours, with since: true when newer entries were left out by limit (the oldest limit entries are sent); ask again from the last one.' },
    },
  ),
  NodeUptime: object({ node: ref('NodeInfo'), services: list(ref('ServiceUptime')), ...rangeFields }),
  Cluster: object({ ...rangeFields, nodes: list(ref('PeerSnapshot'), 'This node first, then peers in config order.') }),
  Health: object(
    {
      status: { type: 'string', enum: ['ok', 'stale'] },
      last_sample_at: { type: ['string', 'null'], format: 'date-time' },
      last_sample_age_seconds: { type: ['integer', 'null'] },
      interval_seconds: num(),
      uptime_seconds: count(),
      pending_writes: count(),
    },
    { last_write_error: str() },
  ),
  Incident: object(
    {
      id: str('<kind>:<subject>:<start in ms>, stable.'),
      kind: {
        type: 'string',
        enum: ['unit', 'peer', 'probe', 'storage', 'host'],
        description: 'host: one cause outside the units (no systemd, bus unreachable, sudo refusing, systemd not answering) hid the units listed in `units`; they have no incident of their own meanwhile.',
      },
      subject: str('Target id, peer id, the probe target, or for kind host the cause: no-systemd, systemctl-missing, sudo-failing, bus-unreachable, systemd-not-answering, check-workers-failing.'),
      name: str(),
      node: str('The node that saw it.'),
      started_at: time('The first failing sample of the run that opened it.'),
      last_failure_at: time(),
      states: list(str(), 'Distinct states seen while failing.'),
      errors: list(str(), 'The last distinct errors seen, oldest first.'),
      samples: count('Failing samples counted.'),
      duration_seconds: count('Up to ended_at, or up to now while open.'),
    },
    {
      ended_at: time('The first passing sample of the run that closed it; absent while open.'),
      units: list(object({ id: str('Target id.'), name: str() }), 'Kind host only: every unit the cause hid while it lasted, in first-seen order.'),
    },
  ),
  IncidentList: object({
    ...rangeFields,
    open: list(ref('Incident'), 'Every open incident, newest start first.'),
    resolved: list(ref('Incident'), 'Incidents that ended within the range, newest end first.'),
    resolved_total: count('How many ended within the range, before limit.'),
  }),
  ShieldsEndpoint: object(
    {
      schemaVersion: { const: 1 },
      label: str(), message: str(),
      color: { type: 'string', enum: ['brightgreen', 'green', 'yellow', 'orange', 'red', 'lightgrey'] },
    },
    { isError: { const: true } },
    'The shields.io endpoint badge schema.',
  ),
  PrometheusTargetGroup: object({
    targets: { type: 'array', items: str('host:port'), minItems: 1, maxItems: 1 },
    labels: object({
      __scheme__: { type: 'string', enum: ['http', 'https'] },
      __metrics_path__: str('The base URL\'s path followed by /metrics.'),
      jobmonitor_node: str('Node id.'),
      jobmonitor_node_name: str(),
      jobmonitor_source: { type: 'string', enum: ['local', 'peer'] },
    }),
  }, {}, 'One target group of Prometheus\' HTTP SD format.'),
  Error: object({ error: object({ message: str(), code: str('Stable, e.g. "bad_query", "unauthorized", "not_found".') }) }),
  OpenApiDocument: {
    type: 'object',
    description: 'This document.',
    properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' }, components: { type: 'object' } },
    required: ['openapi', 'info', 'paths', 'components'],
  },
};
