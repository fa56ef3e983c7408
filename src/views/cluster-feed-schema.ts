/**
 * The shapes of the compact feed (cluster-feed.ts) as valibot schemas: the
 * one definition of each, giving the TypeScript types (`v.InferOutput`) and
 * the OpenAPI components (src/http/openapi-schemas.ts). The dashboard
 * imports only the inferred types.
 */
import * as v from 'valibot';
import {
  CheckResultSchema,
  ConnectivityStatusSchema,
  NodeInfoSchema,
  ServiceUptimeSchema,
  TimelinePointSchema,
  count,
  list,
  num,
  opt,
  peerSyncEntries,
  rangeEntries,
  str,
  time,
} from '../wire-schema.js';

/** Colour of a state badge. */
export const ToneSchema = v.picklist(['ok', 'warn', 'error', 'unknown']);

export const FeedBucketsSchema = v.pipe(
  v.strictTuple([num(), num(), num()]),
  v.description("The timelines' buckets: first start, width, last end (ms since the epoch); bucket i spans start + i x width to the next (the last to end)."),
);

export const FeedDetailSchema = v.pipe(
  v.union([
    v.pipe(v.string(), v.regex(/^\d+ -?\d+ [a-z-]*( [\s\S]*)?$/)),
    v.strictTuple([count(), time(), v.string(), v.string()]),
  ]),
  v.description(
    'A bucket detail, mostly as one string: "<bucket index> <timestamp in ms since the epoch> <state>[ <error>]", where a missing error part means the error is the state ("" state: none), and an empty one means no error. ' +
      'A detail the string cannot give back exactly (a timestamp that is not ISO text in whole ms, a state that is not lower-case letters and hyphens) is the list [bucket index, timestamp, state, error] ("" where the detail has none).',
  ),
);

export const FeedUnitSchema = v.pipe(
  v.strictObject({
    id: str('Unit (target) id.'),
    name: str('Display name.'),
    url: opt(str("The target's url.")),
    check: opt(CheckResultSchema),
    uptime: opt(v.omit(ServiceUptimeSchema, ['id', 'name'])),
    timeline: opt(v.pipe(v.string(), v.regex(/^[sewm]*$/), v.description('One letter per bucket, oldest first: s Operational, e Unavailable, w Transitioning, m No data.'))),
    details: opt(list(FeedDetailSchema, 'The details of the buckets that have some, oldest first.')),
  }),
  v.description("One unit's row: what /api/cluster says of it in targets, services, status.checks and service_timelines; the check without duration_ms (the dashboard does not show it, and it moves at every sample: /api/cluster and /metrics have it)."),
);

export const FeedUnitBriefSchema = v.pipe(
  v.strictTuple([v.string(), v.string(), v.string(), ToneSchema]),
  v.description('A unit in a summary: [id, name, badge state, tone].'),
);

export const FeedSummaryNodeSchema = v.pipe(
  v.strictObject({
    node: NodeInfoSchema,
    source: v.picklist(['local', 'peer']),
    updated_at: time(),
    ...peerSyncEntries,
    error: opt(str("Why the peer's last refresh failed.")),
    status_at: opt(time("The latest sample's time.")),
    connectivity: opt(ConnectivityStatusSchema),
    connectivity_history: opt(list(ConnectivityStatusSchema, 'Only the trailing failed probes (at most 500): when the outage began.')),
    connectivity_counts: opt(v.strictObject({ ok: count(), total: count(), first: time('The oldest sample counted.') })),
    connectivity_timeline: opt(list(TimelinePointSchema)),
    uptime: v.nullable(num('Mean uptime of the units with checks in the range.')),
    buckets: opt(FeedBucketsSchema),
    units: list(FeedUnitBriefSchema, 'Every unit, in the order of its rows.'),
    problems: list(FeedUnitSchema, 'The full rows of the units that are not ok (or whose check failed).'),
  }),
  v.description('One node in /api/cluster/summary.'),
);

/** GET /api/cluster/summary. */
export const FeedSummarySchema = v.strictObject({
  ...rangeEntries,
  nodes: list(FeedSummaryNodeSchema, 'This node first, then peers in config order.'),
});

/** GET /api/cluster/node/:id. */
export const FeedNodeSchema = v.strictObject({
  ...rangeEntries,
  node: NodeInfoSchema,
  buckets: opt(FeedBucketsSchema),
  units: list(FeedUnitSchema),
});

export const FeedChangeSchema = v.pipe(
  v.union([
    v.strictTuple([count(), v.pipe(v.record(v.string(), v.unknown()), v.description("Fields of FeedUnit; check and uptime with only their keys that changed."))]),
    v.strictTuple([count(), FeedUnitSchema, v.literal(1)]),
  ]),
  v.description(
    "A unit's row that changed: [index in units, its fields that changed] (an object field, check or uptime, with only its keys that changed: merge them into the row held; `details@` in place of details: per entry its place in the details held, or the entry itself), or [index, the whole row, 1] when the row's fields are not the same ones (replace it).",
  ),
);

/** GET /api/cluster/node/:id?since=<tag>, when the rows of that tag are still known here. */
export const FeedNodeDeltaSchema = v.strictObject({
  ...rangeEntries,
  node: NodeInfoSchema,
  buckets: opt(FeedBucketsSchema),
  since: str('The tag (ETag without quotes) of the rows this delta applies to.'),
  tag: str('The tag of the rows after applying it: the next `since`.'),
  every: opt(
    v.pipe(
      v.record(v.string(), v.unknown()),
      v.description(
        'Values that moved and that every unit having them now shares (the sample\'s time in uptime.last_updated, uptime.total_checks when it moves for every unit), sent once for the node: set each in every row held that has that field (an object field, check or uptime, only its keys given that the row\'s object has), before applying `changes`.',
      ),
    ),
  ),
  changes: list(FeedChangeSchema, 'The rows that changed, in order; the units are the same ones in the same order as in the rows of `since`.'),
});

export type Tone = v.InferOutput<typeof ToneSchema>;
export type FeedBuckets = v.InferOutput<typeof FeedBucketsSchema>;
export type FeedDetail = v.InferOutput<typeof FeedDetailSchema>;
export type FeedUnit = v.InferOutput<typeof FeedUnitSchema>;
export type FeedUnitBrief = v.InferOutput<typeof FeedUnitBriefSchema>;
export type FeedSummaryNode = v.InferOutput<typeof FeedSummaryNodeSchema>;
export type FeedNodeDetail = v.InferOutput<typeof FeedNodeSchema>;
export type FeedChange = v.InferOutput<typeof FeedChangeSchema>;
export type FeedNodeDelta = v.InferOutput<typeof FeedNodeDeltaSchema>;
