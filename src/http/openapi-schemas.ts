/**
 * The OpenAPI components (components.schemas): every body the HTTP API sends,
 * converted from the valibot schemas that define it (`src/wire-schema.ts`,
 * `src/incidents/schema.ts`, and the operational answers below) by
 * `@valibot/to-json-schema`, as JSON Schema draft 2020-12 (what OpenAPI 3.1
 * uses: nullable is `anyOf [..., {type: null}]`, `const` is allowed).
 * Objects are closed (`additionalProperties: false`, from `v.strictObject`),
 * so a field added to a response without being added to its schema fails the
 * OpenAPI test.
 *
 * To document a new body: add its schema (beside the code that builds it, or
 * below for a small operational answer) and one entry to COMPONENTS; refer to
 * it in the document with `ref(name)`.
 */
import * as v from 'valibot';
import { toJsonSchemaDefs, type JsonSchema } from '@valibot/to-json-schema';
import { IncidentListSchema, IncidentSchema } from '../incidents/schema.js';
import * as feed from '../views/cluster-feed-schema.js';
import * as wire from '../wire-schema.js';
import { count, num, opt, str, time } from '../wire-schema.js';
import type { ShieldsEndpoint } from './badge.js';
import type { SdTargetGroup } from './sd-routes.js';

export type Schema = Record<string, unknown>;

/** A reference to a schema in components.schemas. */
export const ref = (name: keyof typeof COMPONENTS): Schema => ({ $ref: `#/components/schemas/${name}` });

const HealthSchema = v.strictObject({
  status: v.picklist(['ok', 'stale']),
  last_sample_at: v.nullable(time()),
  last_sample_age_seconds: v.nullable(v.pipe(v.number(), v.integer())),
  interval_seconds: num(),
  uptime_seconds: count(),
  pending_writes: count(),
  last_write_error: opt(str()),
});

const ShieldsEndpointSchema = v.pipe(
  v.strictObject({
    schemaVersion: v.literal(1),
    label: str(),
    message: str(),
    color: v.picklist(['brightgreen', 'green', 'yellow', 'orange', 'red', 'lightgrey']),
    isError: opt(v.literal(true)),
  }),
  v.description('The shields.io endpoint badge schema.'),
);

const PrometheusTargetGroupSchema = v.pipe(
  v.strictObject({
    targets: v.pipe(v.array(str('host:port')), v.length(1)),
    labels: v.strictObject({
      __scheme__: v.picklist(['http', 'https']),
      __metrics_path__: str("The base URL's path followed by /metrics."),
      jobmonitor_node: str('Node id.'),
      jobmonitor_node_name: str(),
      jobmonitor_source: v.picklist(['local', 'peer']),
    }),
  }),
  v.description("One target group of Prometheus' HTTP SD format."),
);

const ErrorSchema = v.strictObject({
  error: v.strictObject({ message: str(), code: str('Stable, e.g. "bad_query", "unauthorized", "not_found".') }),
});

/** Open: the document's other parts (servers, tags, security) are not described again. */
const OpenApiDocumentSchema = v.pipe(
  v.object({ openapi: v.literal('3.1.0'), info: v.looseObject({}), paths: v.looseObject({}), components: v.looseObject({}) }),
  v.description('This document.'),
);

// The routes that build these bodies type them by hand (src/http is not ours to reshape here); these lines fail
// the type check when a hand-written type and its schema drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShields: Same<ShieldsEndpoint, v.InferOutput<typeof ShieldsEndpointSchema>> = true;
const sameTargets: Same<SdTargetGroup['targets'], [string]> = true;
void sameShields;
void sameTargets;

/** Every schema of the document, by component name; a schema used inside another becomes a `$ref` to it. */
const COMPONENTS = {
  CheckResult: wire.CheckResultSchema,
  StatusEntry: wire.StatusEntrySchema,
  EmptyStatus: wire.EmptyStatusSchema,
  Target: wire.TargetSchema,
  NodeFeatures: wire.NodeFeaturesSchema,
  NodeInfo: wire.NodeInfoSchema,
  ConnectivityStatus: wire.ConnectivityStatusSchema,
  ServiceUptime: wire.ServiceUptimeSchema,
  TimelineDetail: wire.TimelineDetailSchema,
  TimelinePoint: wire.TimelinePointSchema,
  ServiceTimeline: wire.ServiceTimelineSchema,
  PeerSnapshot: wire.PeerSnapshotSchema,
  NodeStatus: wire.NodeStatusSchema,
  NodeHistory: wire.NodeHistorySchema,
  NodeUptime: wire.NodeUptimeSchema,
  Cluster: wire.ClusterSchema,
  FeedUnit: feed.FeedUnitSchema,
  FeedSummaryNode: feed.FeedSummaryNodeSchema,
  FeedSummary: feed.FeedSummarySchema,
  FeedNode: feed.FeedNodeSchema,
  FeedNodeDelta: feed.FeedNodeDeltaSchema,
  Health: HealthSchema,
  Incident: IncidentSchema,
  IncidentList: IncidentListSchema,
  ShieldsEndpoint: ShieldsEndpointSchema,
  PrometheusTargetGroup: PrometheusTargetGroupSchema,
  Error: ErrorSchema,
  OpenApiDocument: OpenApiDocumentSchema,
} satisfies Record<string, v.GenericSchema>;

/**
 * components.schemas, converted once per call (the document is built once
 * per app and served as bytes). A schema the converter cannot express throws
 * here, at startup and in the OpenAPI test, rather than documenting less.
 */
export function componentSchemas(): Record<string, JsonSchema> {
  return toJsonSchemaDefs(COMPONENTS, {
    target: 'draft-2020-12',
    errorMode: 'throw',
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  });
}
