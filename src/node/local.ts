import { withJournal, type JournalDetail } from '../checks/journal-tap.js';
import type { Config } from '../config/types.js';
import type { SampleColumns } from '../history/sample-log.js';
import type { NodeInfo, PeerSnapshot, RangeName, Target } from '../types.js';
import { RANGE_MS } from '../types.js';
import type { HistoryQueries, TimeWindow } from '../views/history-queries.js';
import { joinedChunks } from './json-chunks.js';
import { buildSnapshot, CONNECTIVITY_CAP } from './snapshot.js';

export { CONNECTIVITY_CAP };

/** Our additions to NodeInfo, ignored by an original node. */
export interface NodeInfoExt extends NodeInfo {
  /** Exact interval; interval_minutes is rounded (at least 1) for original peers, whose field is an integer. */
  interval_seconds: number;
  /** Lets a peer of ours know it can ask for `since` (incremental history). */
  jobmonitor?: { implementation: 'jobmonitor-ts'; version: string; features: string[] };
}

export interface LocalNode {
  info(): NodeInfoExt;
  targets(): Target[];
  intervalMs(): number;
  /** Changes whenever a sample or probe result is added or pruned: every answer below is a function of it and the clock. */
  dataVersion(): number;
  /** The window [now - range, now]. */
  window(range: RangeName): TimeWindow;
  statusBody(): Record<string, unknown>;
  historyBody(range: RangeName, limit: number, since?: number): Record<string, unknown>;
  /** historyBody as JSON text in chunks, so 30 days of 500 units stream out instead of becoming one huge string. */
  historyChunks(range: RangeName, limit: number, since?: number): Iterable<string>;
  /** historyBody's parts for the compact page form (peers/compact-page.ts): the answer without `history`, and its samples as columns. */
  historyColumns(range: RangeName, limit: number, since?: number): { fields: Record<string, unknown>; columns: SampleColumns };
  /** The legacy /api/history answer (historyBody's `history` array alone) as JSON text in chunks. */
  legacyHistoryChunks(range: RangeName, limit: number): Iterable<string>;
  uptimeBody(range: RangeName): Record<string, unknown>;
  snapshot(range: RangeName): PeerSnapshot;
}

/**
 * What a peer of ours may rely on: `since` (incremental history), `pages` (with `since`, oldest `limit` first
 * and `more`), `stale`, `cols` (history pages in the compact form with `format=cols`).
 */
export const FEATURES = ['since', 'pages', 'stale', 'cols'];

export function createLocalNode(deps: {
  config: Config;
  history: HistoryQueries;
  now: () => number;
  version: string;
  /** journal_lines: the newest sweep's journal lines by target id, shown in statusBody() and the local snapshot (never stored). */
  journal?: () => ReadonlyMap<string, JournalDetail>;
}): LocalNode {
  const { config, history, now } = deps;
  const intervalMs = Math.round(config.interval_minutes * 60_000);
  const iso = (ms: number) => new Date(ms).toISOString();

  const info = (): NodeInfoExt => ({
    id: config.node_id,
    name: config.node_name,
    interval_minutes: Math.max(1, Math.round(config.interval_minutes)),
    ...(config.monitor_dns.enabled ? { connectivity_interval_seconds: config.monitor_dns.interval_seconds } : {}),
    interval_seconds: intervalMs / 1000,
    jobmonitor: { implementation: 'jobmonitor-ts', version: deps.version, features: FEATURES },
  });

  const targets = (): Target[] =>
    config.targets.map((t) => ({
      id: t.id,
      name: t.name,
      service: t.service,
      ...(t.url !== undefined ? { url: t.url } : {}),
      timeout_seconds: t.timeout_seconds,
      use_sudo: t.use_sudo,
    }));

  const window = (range: RangeName): TimeWindow => {
    const end = now();
    return { start: end - RANGE_MS[range], end };
  };

  /** The newest sample with the journal lines of units that are not ok (the dashboard shows them too). */
  const latestStatus = () => {
    const latest = history.latestStatus();
    return latest === undefined || deps.journal === undefined ? latest : withJournal(latest, deps.journal());
  };

  const rangeFields = (range: RangeName, w: TimeWindow) => ({
    range,
    range_start: iso(w.start),
    range_end: iso(w.end),
  });

  /**
   * What a history answer holds. Without `since` (the original's request):
   * the newest `limit` entries of the window. With `since` (ours): the
   * OLDEST `limit` entries newer than it, and `more: true` when some were
   * left out, so a peer pages forward through a month of a large node in
   * answers of bounded size.
   */
  const historyPlan = (range: RangeName, limit: number, since: number | undefined) => {
    const w = window(range);
    const from = since === undefined ? w : { start: Math.max(w.start, since + 1), end: w.end };
    const connLimit = Math.min(limit, CONNECTIVITY_CAP);
    let status = from;
    let conns = from;
    let more = false;
    if (since !== undefined) {
      const sp = history.statusPage(from, limit);
      const cp = history.connectivityPage(from, connLimit);
      status = { start: from.start, end: sp.end };
      // Probe samples never run ahead of the status page: a peer resumes from the older of the two.
      conns = { start: from.start, end: Math.min(cp.end, sp.end) };
      more = sp.more || cp.more;
    }
    const statusLimit = since === undefined ? limit : undefined;
    return {
      status,
      statusLimit,
      tail: () => {
        const conn = history.connectivity(conns, since === undefined ? connLimit : undefined);
        return {
          ...(conn.length > 0 ? { connectivity: conn } : {}),
          connectivity_timeline: history.connectivityTimeline(w),
          generated_at: iso(now()),
          ...rangeFields(range, w),
          ...(since !== undefined ? { since: iso(since), more } : {}),
          targets: targets(),
        };
      },
    };
  };

  return {
    info,
    targets,
    intervalMs: () => intervalMs,
    dataVersion: () => history.version(),
    window,
    statusBody() {
      const status = latestStatus();
      const connectivity = history.latestConnectivity();
      return {
        node: info(),
        ...(status !== undefined ? { status } : {}),
        ...(connectivity !== undefined ? { connectivity } : {}),
        targets: targets(),
        generated_at: iso(now()),
      };
    },
    historyBody(range, limit, since) {
      const p = historyPlan(range, limit, since);
      return {
        node: info(),
        history: history.statusEntries(p.status, p.statusLimit),
        ...p.tail(),
      };
    },
    *historyChunks(range, limit, since) {
      const p = historyPlan(range, limit, since);
      yield `{"node":${JSON.stringify(info())},"history":[`;
      yield* joinedChunks(history.statusEntriesJson(p.status, p.statusLimit));
      yield `],${JSON.stringify(p.tail()).slice(1)}`;
    },
    historyColumns(range, limit, since) {
      const p = historyPlan(range, limit, since);
      return { fields: { node: info(), ...p.tail() }, columns: history.statusColumns(p.status, p.statusLimit) };
    },
    *legacyHistoryChunks(range, limit) {
      yield '[';
      yield* joinedChunks(history.statusEntriesJson(window(range), limit));
      yield ']';
    },
    uptimeBody(range) {
      const w = window(range);
      return {
        node: info(),
        services: history.uptime(config.targets, w, intervalMs),
        generated_at: iso(now()),
        ...rangeFields(range, w),
      };
    },
    snapshot(range) {
      const status = latestStatus();
      return buildSnapshot(
        {
          node: info(),
          history,
          services: config.targets,
          targets: targets(),
          intervalMs,
          ...(status !== undefined ? { status } : {}),
          updatedAt: now(),
          source: 'local',
        },
        window(range),
      );
    },
  };
}
