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

/** The fields of a peer's snapshot that a refresh's outcome moves (and no new data): when, and how its sync goes. */
export type PeerSyncView = Pick<PeerSnapshot, 'updated_at' | 'error' | 'syncing' | 'stale' | 'last_success_at' | 'consecutive_failures'>;

/**
 * One enabled peer as the cluster answers build it (src/peers/poller.ts
 * gives them, src/http/cluster-parts.ts reads them): its versions, read
 * without rendering anything, and its snapshot rendered only when a kept
 * part is missing. Versions are valid within one time bucket of the answers.
 */
export interface PeerView {
  /** The configured id (its snapshot's node.id; two entries may share one). */
  readonly id: string;
  /** Unique among the views: what its kept parts are filed under. */
  readonly key: string;
  /** Moves when its rows render differently: new history, what it says about itself, the slots it missed. */
  readonly rowsVersion: string;
  /** Moves when anything of its snapshot does: its rows or {@link PeerSyncView}. */
  readonly version: string;
  snapshot(range: RangeName): PeerSnapshot;
  /** Cheap: reads no history. */
  sync(): PeerSyncView;
}

export const RANGE_MS: Readonly<Record<RangeName, number>> = {
  '24h': 24 * 60 * 60 * 1000,
  '30d': 30 * 24 * 60 * 60 * 1000,
};

/** Number of buckets in every timeline, as the original. */
export const TIMELINE_POINTS = 80;
