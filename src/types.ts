/**
 * The wire types: the original Go JobMonitor's (v1.3) format field for field
 * (see shared/reference/API.md), plus our additions. Each is inferred from its
 * valibot schema in `wire-schema.ts`, the one definition of the shape (which
 * also gives the OpenAPI components); see there for what each field means.
 * Optional fields are omitted (never `undefined`, never `null`) when empty,
 * exactly where the original omits them.
 *
 * This module holds types and two constants only (its imports are
 * type-only): it is safe to import from workers, the server, the dashboard
 * and tests alike.
 */
import type * as v from 'valibot';
import type * as wire from './wire-schema.js';

/** One unit's result inside a sample. */
export type CheckResult = v.InferOutput<typeof wire.CheckResultSchema>;
/** One sample: every target checked in one sweep. `timestamp` is the sweep's start. */
export type StatusEntry = v.InferOutput<typeof wire.StatusEntrySchema>;
/** A configured target as the API shows it. */
export type Target = v.InferOutput<typeof wire.TargetSchema>;
/** What a node of ours adds to `node` so that peers know what it supports. */
export type NodeFeatures = v.InferOutput<typeof wire.NodeFeaturesSchema>;
/** The `node` object of every answer; `interval_seconds` and `jobmonitor` are ours. */
export type NodeInfo = v.InferOutput<typeof wire.NodeInfoSchema>;
/** One DNS probe sample. `latency_ms` is 0 with `error` set on failure. */
export type ConnectivityStatus = v.InferOutput<typeof wire.ConnectivityStatusSchema>;
export type ServiceUptime = v.InferOutput<typeof wire.ServiceUptimeSchema>;
export type TimelineClass = (typeof wire.TIMELINE_CLASSES)[number];
export type TimelineDetail = v.InferOutput<typeof wire.TimelineDetailSchema>;
export type TimelinePoint = v.InferOutput<typeof wire.TimelinePointSchema>;
export type ServiceTimeline = v.InferOutput<typeof wire.ServiceTimelineSchema>;
/** Ours, beside the original's fields in PeerSnapshot: freshness of a peer's data. */
export type PeerSyncInfo = v.InferOutput<v.ObjectSchema<typeof wire.peerSyncEntries, undefined>>;
/** One node's view in /api/cluster. */
export type PeerSnapshot = v.InferOutput<typeof wire.PeerSnapshotSchema>;
/** GET /api/node/status. */
export type NodeStatus = v.InferOutput<typeof wire.NodeStatusSchema>;
/** GET /api/node/history. */
export type NodeHistory = v.InferOutput<typeof wire.NodeHistorySchema>;
/** GET /api/node/uptime. */
export type NodeUptime = v.InferOutput<typeof wire.NodeUptimeSchema>;
/** GET /api/cluster. */
export type Cluster = v.InferOutput<typeof wire.ClusterSchema>;

/** The range names the API accepts (aliases normalised). */
export type RangeName = (typeof wire.RANGE_NAMES)[number];

export const RANGE_MS: Readonly<Record<RangeName, number>> = {
  '24h': 24 * 60 * 60 * 1000,
  '30d': 30 * 24 * 60 * 60 * 1000,
};

/** Number of buckets in every timeline, as the original. */
export const TIMELINE_POINTS = 80;
