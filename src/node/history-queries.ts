import type { ConnectivityLog } from '../history/connectivity-log.js';
import type { SampleLog } from '../history/sample-log.js';
import { connectivityTimeline } from '../views/connectivity-timeline.js';
import { scanRange, type RangeScan } from '../views/range-scan.js';
import { serviceTimelines } from '../views/timeline.js';
import { computeUptime } from '../views/uptime.js';
import type { HistoryQueries, TimeRange } from './queries.js';

/**
 * Answers HistoryQueries from in-memory logs. Uptime and timelines of the
 * same window share one scan (a snapshot asks for both), reused until the
 * log changes.
 */
export function createHistoryQueries(status: SampleLog, conn: ConnectivityLog): HistoryQueries {
  let cached: { version: number; start: number; end: number; scan: RangeScan } | undefined;
  const scanFor = (range: TimeRange): RangeScan => {
    const c = cached;
    if (c !== undefined && c.version === status.version && c.start === range.start && c.end === range.end) return c.scan;
    const scan = scanRange(status, range);
    cached = { version: status.version, start: range.start, end: range.end, scan };
    return scan;
  };
  return {
    latestStatus: () => status.latest(),
    statusEntries: (range, limit) => status.entries(range.start, range.end, limit),
    latestConnectivity: () => conn.latest(),
    connectivity: (range, limit) => conn.entries(range.start, range.end, limit),
    uptime: (targets, range, intervalMs) => computeUptime(status, targets, range, intervalMs, scanFor(range)),
    serviceTimelines: (targets, range) => serviceTimelines(status, targets, range, scanFor(range)),
    connectivityTimeline: (range) => connectivityTimeline(conn, range),
  };
}
