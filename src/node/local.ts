import { withJournal, type JournalDetail } from '../checks/journal-tap.js';
import type { Config } from '../config/types.js';
import type { SampleColumns } from '../history/sample-log.js';
import type { NodeHistory, NodeInfo, NodeStatus, NodeUptime, PeerSnapshot, RangeName, StatusEntry, Target } from '../types.js';
import { RANGE_MS } from '../types.js';
import type { HistoryQueries, TimeWindow } from '../views/history-queries.js';
import { joinedChunks } from './json-chunks.js';
import { buildSnapshot, CONNECTIVITY_CAP } from './snapshot.js';

export { CONNECTIVITY_CAP };

/**
 * Our node's NodeInfo: always with the exact interval (interval_minutes is
 * rounded, at least 1, for original peers, whose field is an integer) and the
 * `jobmonitor` features a peer of ours relies on (e.g. `since`).
 */
export type NodeInfoExt = NodeInfo & Required<Pick<NodeInfo, 'interval_seconds' | 'jobmonitor'>>;

export interface LocalNode {
  info(): NodeInfoExt;
  targets(): Target[];
  intervalMs(): number;
  /** Changes whenever a sample or probe result is added or pruned: every answer below is a function of it and the clock. */
  dataVersion(): number;
  /** The window [now - range, now]. */
  window(range: RangeName): TimeWindow;
  statusBody(): NodeStatus;
  historyBody(range: RangeName, limit: number, since?: number): NodeHistory;
  /** historyBody as JSON text in chunks, so 30 days of 500 units stream out instead of becoming one huge string. */
  historyChunks(range: RangeName, limit: number, since?: number): Iterable<string>;
  /** historyBody's parts for the compact page form (peers/compact-page.ts): the answer without `history`, and its samples as columns. */
  historyColumns(range: RangeName, limit: number, since?: number): { fields: Record<string, unknown>; columns: SampleColumns };
  /** The legacy /api/history answer (historyBody's `history` array alone) as JSON text in chunks. */
  legacyHistoryChunks(range: RangeName, limit: number): Iterable<string>;
  uptimeBody(range: RangeName): NodeUptime;
  snapshot(range: RangeName): PeerSnapshot;
}

/**
 * What a peer of ours may rely on: `since` (incremental history), `pages` (with `since`, oldest `limit` first
 * and `more`), `stale`, `cols` (history pages in the compact form with `format=cols`).
 */
export const FEATURES = ['since', 'pages', 'stale', 'cols'];

export interface LocalNodeDeps {
  config: Config;
  history: HistoryQueries;
  now: () => number;
  version: string;
  /** journal_lines: the newest sweep's journal lines by target id, shown in statusBody() and the local snapshot (never stored). */
  journal?: () => ReadonlyMap<string, JournalDetail>;
}

/** The deps with the interval worked out once. */
interface Ctx extends LocalNodeDeps {
  intervalMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function nodeInfo({ config, intervalMs, version }: Ctx): NodeInfoExt {
  return {
    id: config.node_id,
    name: config.node_name,
    interval_minutes: Math.max(1, Math.round(config.interval_minutes)),
    ...(config.monitor_dns.enabled ? { connectivity_interval_seconds: config.monitor_dns.interval_seconds } : {}),
    interval_seconds: intervalMs / 1000,
    jobmonitor: { implementation: 'jobmonitor-ts', version, features: FEATURES },
  };
}

/** The configured targets as the API shows them (no thresholds). */
function apiTargets({ config }: Ctx): Target[] {
  return config.targets.map((t) => ({
    id: t.id,
    name: t.name,
    service: t.service,
    ...(t.url !== undefined ? { url: t.url } : {}),
    timeout_seconds: t.timeout_seconds,
    use_sudo: t.use_sudo,
  }));
}

function rangeWindow({ now }: Ctx, range: RangeName): TimeWindow {
  const end = now();
  return { start: end - RANGE_MS[range], end };
}

function rangeFields(range: RangeName, w: TimeWindow) {
  return { range, range_start: iso(w.start), range_end: iso(w.end) };
}

/** The newest sample with the journal lines of units that are not ok (the dashboard shows them too). */
function latestStatus({ history, journal }: Ctx): StatusEntry | undefined {
  const latest = history.latestStatus();
  return latest === undefined || journal === undefined ? latest : withJournal(latest, journal());
}

/**
 * What a history answer holds. Without `since` (the original's request):
 * the newest `limit` entries of the window. With `since` (ours): the
 * OLDEST `limit` entries newer than it, and `more: true` when some were
 * left out, so a peer pages forward through a month of a large node in
 * answers of bounded size.
 */
function historyPlan(ctx: Ctx, range: RangeName, limit: number, since: number | undefined) {
  const { history } = ctx;
  const w = rangeWindow(ctx, range);
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
  /** Everything after `history`, in the order the answer has it. */
  const tail = () => {
    const conn = history.connectivity(conns, since === undefined ? connLimit : undefined);
    return {
      ...(conn.length > 0 ? { connectivity: conn } : {}),
      connectivity_timeline: history.connectivityTimeline(w),
      generated_at: iso(ctx.now()),
      ...rangeFields(range, w),
      ...(since !== undefined ? { since: iso(since), more } : {}),
      targets: apiTargets(ctx),
    };
  };
  return { status, statusLimit, tail };
}

function statusBody(ctx: Ctx): NodeStatus {
  const status = latestStatus(ctx);
  const connectivity = ctx.history.latestConnectivity();
  return {
    node: nodeInfo(ctx),
    ...(status !== undefined ? { status } : {}),
    ...(connectivity !== undefined ? { connectivity } : {}),
    targets: apiTargets(ctx),
    generated_at: iso(ctx.now()),
  };
}

function* historyChunks(ctx: Ctx, range: RangeName, limit: number, since: number | undefined): Iterable<string> {
  const p = historyPlan(ctx, range, limit, since);
  yield `{"node":${JSON.stringify(nodeInfo(ctx))},"history":[`;
  yield* joinedChunks(ctx.history.statusEntriesJson(p.status, p.statusLimit));
  yield `],${JSON.stringify(p.tail()).slice(1)}`;
}

function* legacyHistoryChunks(ctx: Ctx, range: RangeName, limit: number): Iterable<string> {
  yield '[';
  yield* joinedChunks(ctx.history.statusEntriesJson(rangeWindow(ctx, range), limit));
  yield ']';
}

function uptimeBody(ctx: Ctx, range: RangeName): NodeUptime {
  const w = rangeWindow(ctx, range);
  return {
    node: nodeInfo(ctx),
    services: ctx.history.uptime(ctx.config.targets, w, ctx.intervalMs),
    generated_at: iso(ctx.now()),
    ...rangeFields(range, w),
  };
}

function snapshot(ctx: Ctx, range: RangeName): PeerSnapshot {
  const status = latestStatus(ctx);
  return buildSnapshot(
    {
      node: nodeInfo(ctx),
      history: ctx.history,
      services: ctx.config.targets,
      targets: apiTargets(ctx),
      intervalMs: ctx.intervalMs,
      ...(status !== undefined ? { status } : {}),
      updatedAt: ctx.now(),
      source: 'local',
    },
    rangeWindow(ctx, range),
  );
}

/** This node's answers, each a function of its history's data version and the clock. */
export function createLocalNode(deps: LocalNodeDeps): LocalNode {
  const ctx: Ctx = { ...deps, intervalMs: Math.round(deps.config.interval_minutes * 60_000) };
  return {
    info: () => nodeInfo(ctx),
    targets: () => apiTargets(ctx),
    intervalMs: () => ctx.intervalMs,
    dataVersion: () => deps.history.version(),
    window: (range) => rangeWindow(ctx, range),
    statusBody: () => statusBody(ctx),
    historyBody(range, limit, since) {
      const p = historyPlan(ctx, range, limit, since);
      return { node: nodeInfo(ctx), history: deps.history.statusEntries(p.status, p.statusLimit), ...p.tail() };
    },
    historyChunks: (range, limit, since) => historyChunks(ctx, range, limit, since),
    historyColumns(range, limit, since) {
      const p = historyPlan(ctx, range, limit, since);
      return { fields: { node: nodeInfo(ctx), ...p.tail() }, columns: deps.history.statusColumns(p.status, p.statusLimit) };
    },
    legacyHistoryChunks: (range, limit) => legacyHistoryChunks(ctx, range, limit),
    uptimeBody: (range) => uptimeBody(ctx, range),
    snapshot: (range) => snapshot(ctx, range),
  };
}
