/**
 * The OpenAPI part of the compact feed (cluster-feed-routes.ts): its two
 * paths and the schemas of their answers (src/views/cluster-feed.ts).
 */
import { object, ref, type Schema } from './openapi-schemas.js';

type Operation = Record<string, unknown>;

const s = (description: string): Schema => ({ type: 'string', description });
const time: Schema = { type: 'string', format: 'date-time' };
const head = { generated_at: time, range: { type: 'string', enum: ['24h', '30d'] }, range_start: time, range_end: time };
const buckets: Schema = {
  type: 'array', minItems: 3, maxItems: 3, items: { type: 'number' },
  description: 'The timelines\' buckets: first start, width, last end (ms since the epoch); bucket i spans start + i x width to the next (the last to end).',
};

/** Schemas of the feed's answers, by name (components.schemas). */
export const FEED_SCHEMAS: Record<string, Schema> = {
  FeedUnit: object(
    { id: s('Unit (target) id.'), name: s('Display name.') },
    {
      url: s("The target's url."),
      check: ref('CheckResult'),
      uptime: {
        type: 'object', description: 'ServiceUptime without id and name.', additionalProperties: false,
        required: ['uptime_percent', 'total_checks', 'passing', 'failing', 'missing_slots'],
        properties: {
          uptime_percent: { type: 'number' }, total_checks: { type: 'integer' }, passing: { type: 'integer' }, failing: { type: 'integer' },
          missing_slots: { type: 'integer' }, last_state: { type: 'string' }, last_updated: time,
        },
      },
      timeline: { type: 'string', pattern: '^[sewm]*$', description: 'One letter per bucket, oldest first: s Operational, e Unavailable, w Transitioning, m No data.' },
      details: {
        type: 'array', description: 'Details of the buckets that have some: [bucket index, timestamp, state, error] ("" when absent).',
        items: { type: 'array', prefixItems: [{ type: 'integer', minimum: 0 }, time, { type: 'string' }, { type: 'string' }], minItems: 4, maxItems: 4, items: false },
      },
    },
    "One unit's row: what /api/cluster says of it in targets, services, status.checks and service_timelines.",
  ),
  FeedSummaryNode: object(
    {
      node: ref('NodeInfo'),
      source: { type: 'string', enum: ['local', 'peer'] },
      updated_at: time,
      uptime: { type: ['number', 'null'], description: 'Mean uptime of the units with checks in the range.' },
      units: {
        type: 'array', description: 'Every unit: [id, name, badge state, tone].',
        items: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }, { type: 'string' }, { type: 'string', enum: ['ok', 'warn', 'error', 'unknown'] }], minItems: 4, maxItems: 4, items: false },
      },
      problems: { type: 'array', items: ref('FeedUnit'), description: 'Full rows of the units that are not ok.' },
    },
    {
      stale: { type: 'boolean' }, syncing: { type: 'boolean' }, last_success_at: time, consecutive_failures: { type: 'integer', minimum: 0 },
      error: s("Why the peer's last refresh failed."),
      status_at: { ...time, description: "The latest sample's time." },
      connectivity: ref('ConnectivityStatus'),
      connectivity_history: { type: 'array', items: ref('ConnectivityStatus'), description: 'Only the trailing failed probes (at most 500).' },
      connectivity_counts: object({ ok: { type: 'integer' }, total: { type: 'integer' }, first: time }, {}, 'Probe samples in the range.'),
      connectivity_timeline: { type: 'array', items: ref('TimelinePoint') },
      buckets,
    },
    "One node in /api/cluster/summary.",
  ),
  FeedSummary: object({ ...head, nodes: { type: 'array', items: ref('FeedSummaryNode'), description: 'This node first, then peers in config order.' } }),
  FeedNode: object({ ...head, node: ref('NodeInfo'), units: { type: 'array', items: ref('FeedUnit') } }, { buckets }),
};

/** The feed's paths; `api` adds this node's key rule to an operation. */
export function feedPaths(api: (op: Operation) => Operation, param: (name: string) => Schema): Record<string, unknown> {
  const json = (name: string, description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });
  const error = (description: string) => json('Error', description);
  return {
    '/api/cluster/summary': {
      get: api({
        tags: ['cluster'], operationId: 'clusterSummary', summary: "Ours: every node briefly (the dashboard's first request).",
        description: 'Sync state, probe, mean uptime, [id, name, state, tone] per unit and the full rows of the units with problems. Kept per data version with an ETag (304 on If-None-Match).',
        parameters: [param('strictRange')],
        responses: { '200': json('FeedSummary', 'Every node, this node first.'), '400': error('A query parameter is invalid.') },
      }),
    },
    '/api/cluster/node/{id}': {
      get: api({
        tags: ['cluster'], operationId: 'clusterNode', summary: "Ours: one node's unit rows, timelines as letters.",
        description: 'What /api/cluster says of the node\'s units, compact. Kept per data version with an ETag (304 on If-None-Match).',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'A node id of this cluster.', schema: { type: 'string' } }, param('strictRange')],
        responses: { '200': json('FeedNode', "The node's rows."), '400': error('A query parameter is invalid.'), '404': error('No node of this cluster has this id.') },
      }),
    },
  };
}
