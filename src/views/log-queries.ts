import type { ConnectivityLog } from '../history/connectivity-log.js';
import type { SampleColumns, SampleLog } from '../history/sample-log.js';
import type { HistoryQueries, TimeWindow } from './history-queries.js';
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
  const scan = (range: TimeWindow): RangeScan => {
    if (cached === undefined || cached.version !== status.version || cached.start !== range.start || cached.end !== range.end) {
      cached = scanRange(status, range);
    }
    return cached;
  };
  return {
    // Both counters only grow, so their sum changes on every mutation of either log.
    version: () => status.version + connectivity.version,
    latestStatus: () => status.latest(),
    statusEntries: (range, limit) => status.entries(range.start, range.end, limit),
    statusEntriesJson: (range, limit) => status.entriesJson(range.start, range.end, limit),
    statusPage: (range, limit) => page(status.lowerBound(range.start), status.upperBound(range.end), limit, range.end, (i) => status.timeAt(i)),
    statusColumns: (range, limit) => {
      const hi = status.upperBound(range.end);
      const lo = Math.max(status.lowerBound(range.start), limit === undefined ? 0 : hi - limit);
      return hi > lo ? status.toColumns(status.timeAt(lo), status.timeAt(hi - 1)) : EMPTY_COLUMNS();
    },
    latestConnectivity: () => connectivity.latest(),
    connectivityPage: (range, limit) =>
      page(connectivity.lowerBound(range.start), connectivity.upperBound(range.end), limit, range.end, (i) => Date.parse(connectivity.entryAt(i).checked_at)),
    connectivity: (range, limit) => connectivity.entries(range.start, range.end, limit),
    uptime: (targets, range, intervalMs) => computeUptime(status, targets, range, intervalMs, scan(range)),
    serviceTimelines: (targets, range) => serviceTimelines(status, targets, range, scan(range)),
    connectivityTimeline: (range) => connectivityTimeline(connectivity, range),
  };
}

const EMPTY_COLUMNS = (): SampleColumns => ({
  times: new Float64Array(0), layoutOf: new Uint32Array(0), codes: new Uint16Array(0), ids: [], pairs: [], layouts: [], results: [],
});

/** The end time of the first `limit` rows of [lo, hi), and whether rows remain after them. */
function page(lo: number, hi: number, limit: number, end: number, timeAt: (i: number) => number): { end: number; more: boolean } {
  if (hi - lo <= limit) return { end, more: false };
  return { end: timeAt(lo + limit - 1), more: true };
}
