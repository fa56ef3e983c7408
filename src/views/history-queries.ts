import type { SampleColumns } from '../history/sample-log.js';
import type {
  ConnectivityStatus, ServiceTimeline, ServiceUptime, StatusEntry, TimelinePoint,
} from '../types.js';

/** A time window in epoch milliseconds, both ends inclusive (as the original's history filter). */
export interface TimeWindow {
  start: number;
  end: number;
}

/**
 * What the API needs to know about one node's history, answered from memory.
 * The local node's file-backed store and each peer's cached history both
 * provide it, so the same code builds a local and a peer snapshot.
 */
export interface HistoryQueries {
  /** Changes whenever anything these queries answer may have changed (a sample added or pruned): the key of cached answers. */
  version(): number;
  latestStatus(): StatusEntry | undefined;
  /** Entries with start <= timestamp <= end, oldest first; the newest `limit` when given. */
  statusEntries(range: TimeWindow, limit?: number): StatusEntry[];
  /** The same entries, each already serialised: lets a large history be streamed, never built as one string. */
  statusEntriesJson(range: TimeWindow, limit?: number): Iterable<string>;
  /** Where the oldest `limit` entries of the range end (inclusive), and whether entries are left after them. */
  statusPage(range: TimeWindow, limit: number): { end: number; more: boolean };
  /** The entries of statusEntries(range, limit) as columns (the compact page form a peer of ours may ask for). */
  statusColumns(range: TimeWindow, limit?: number): SampleColumns;
  latestConnectivity(): ConnectivityStatus | undefined;
  connectivityPage(range: TimeWindow, limit: number): { end: number; more: boolean };
  connectivity(range: TimeWindow, limit?: number): ConnectivityStatus[];
  uptime(targets: readonly { id: string; name: string }[], range: TimeWindow, intervalMs: number): ServiceUptime[];
  serviceTimelines(targets: readonly { id: string; name: string }[], range: TimeWindow): ServiceTimeline[];
  connectivityTimeline(range: TimeWindow): TimelinePoint[];
}
