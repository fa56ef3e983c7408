/**
 * Wire types the dashboard consumes. The single source of truth is the
 * server's `src/types.ts`; this module only re-exports it (type-only, so
 * nothing of the server ends up in the bundle) and adds the response shape
 * of `/api/cluster`.
 */
export type {
  CheckResult,
  ConnectivityStatus,
  NodeInfo,
  PeerSnapshot,
  RangeName,
  ServiceTimeline,
  ServiceUptime,
  StatusEntry,
  Target,
  TimelineClass,
  TimelineDetail,
  TimelinePoint,
} from '../../src/types.js';

import type { PeerSnapshot, RangeName } from '../../src/types.js';

/** Body of `GET /api/cluster?range=`: the local node first, then its peers. */
export interface ClusterResponse {
  generated_at: string;
  range: RangeName;
  range_start: string;
  range_end: string;
  nodes: PeerSnapshot[];
}

/** The ranges the dashboard offers, in toggle order. */
export const RANGES: readonly RangeName[] = ['24h', '30d'];

/** True for a value the API accepts as a range name. */
export function isRangeName(value: unknown): value is RangeName {
  return value === '24h' || value === '30d';
}
