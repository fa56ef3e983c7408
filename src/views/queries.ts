import type { ConnectivityLog } from '../history/connectivity-log.js';
import type { SampleLog } from '../history/sample-log.js';
import type { HistoryQueries, TimeRange } from '../node/queries.js';
import { connectivityTimeline } from './connectivity-timeline.js';
import { scanRange, type RangeScan } from './range-scan.js';
import { serviceTimelines } from './timeline.js';
import { computeUptime } from './uptime.js';

/**
 * HistoryQueries over in-memory logs: the local node's (file-backed) and a
 * peer's (built from its fetched history) alike. Uptime and timelines for
 * the same window and log version share one scan.
 */
export function createLogQueries(status: SampleLog, connectivity: ConnectivityLog): HistoryQueries {
  let cached: RangeScan | undefined;
  const scan = (range: TimeRange): RangeScan => {
    if (cached === undefined || cached.version !== status.version || cached.start !== range.start || cached.end !== range.end) {
      cached = scanRange(status, range);
    }
    return cached;
  };
  return {
    latestStatus: () => status.latest(),
    statusEntries: (range, limit) => status.entries(range.start, range.end, limit),
    statusEntriesJson: (range, limit) => status.entriesJson(range.start, range.end, limit),
    latestConnectivity: () => connectivity.latest(),
    connectivity: (range, limit) => connectivity.entries(range.start, range.end, limit),
    uptime: (targets, range, intervalMs) => computeUptime(status, targets, range, intervalMs, scan(range)),
    serviceTimelines: (targets, range) => serviceTimelines(status, targets, range, scan(range)),
    connectivityTimeline: (range) => connectivityTimeline(connectivity, range),
  };
}
