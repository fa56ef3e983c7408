/**
 * The compact feed our dashboard reads instead of /api/cluster: per node a
 * summary (sync state, probe, mean uptime, one short tuple per unit and the
 * full rows of the units with problems) and, on demand, the node's rows with
 * each 80-bucket timeline as one string of letters. Built from a node's
 * PeerSnapshot, so it says what /api/cluster says, in a fraction of the
 * bytes and of the objects a page must hold.
 *
 * Pure: no Node or DOM imports (the dashboard bundle includes this file, to
 * read an older node's /api/cluster the same way).
 */
import type { PeerSnapshot, RangeName, ServiceUptime, TimelineClass, TimelineDetail, TimelinePoint } from '../types.js';
import { LABEL } from './buckets.js';
import type { FeedBuckets, FeedDetail, FeedNodeDetail, FeedSummaryNode, FeedUnit } from './cluster-feed-schema.js';
import { unitBadge } from './unit-badge.js';

export type { FeedBuckets, FeedDetail, FeedNodeDetail, FeedSummaryNode, FeedUnit, FeedUnitBrief } from './cluster-feed-schema.js';

/** One letter per bucket class. */
export const TIMELINE_CODE: Readonly<Record<TimelineClass, string>> = {
  'state-success': 's',
  'state-error': 'e',
  'state-warning': 'w',
  'state-missing': 'm',
};
const CLASS_OF: Readonly<Record<string, TimelineClass>> = { s: 'state-success', e: 'state-error', w: 'state-warning', m: 'state-missing' };

/** Probe samples in the range (connectivity_history, capped as there). */
export type FeedProbeCounts = NonNullable<FeedSummaryNode['connectivity_counts']>;

/** Head of a summary or cluster answer. */
export interface FeedHead {
  generated_at: string;
  range: RangeName;
  range_start: string;
  range_end: string;
}

/** Trailing failed probes kept in a summary (the outage start needs only them). */
const TRAILING_PROBES = 500;

function firstBy<T>(list: readonly T[] | undefined, id: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of list ?? []) {
    const key = id(item);
    if (!map.has(key)) map.set(key, item);
  }
  return map;
}

/** The bucket bounds of a timeline, when it has at least one bucket. */
export function bucketsOf(points: readonly TimelinePoint[] | undefined): FeedBuckets | undefined {
  if (!points || points.length === 0) return undefined;
  const start = Date.parse(points[0]!.start);
  const end = Date.parse(points[points.length - 1]!.end);
  const step = points.length > 1 ? Date.parse(points[1]!.start) - start : end - start;
  return Number.isFinite(start) && Number.isFinite(end) && Number.isFinite(step) ? [start, step, end] : undefined;
}

/** A state that can be written in a compact detail: a systemd state word (lower-case letters and hyphens) or none. */
const STATE_WORD = /^[a-z-]*$/;
/** A compact detail: bucket, ms since the epoch, state, and the error after one more space when it is not the state. */
const COMPACT_DETAIL = /^(\d+) (-?\d+) ([a-z-]*)(?: ([\s\S]*))?$/;

/**
 * A bucket detail as the feed sends it. Mostly one string,
 * `"<bucket> <ms since the epoch> <state>[ <error>]"`, the error left out when
 * it is the state (systemd's "failed"/"failed"): a page parses ten thousand
 * rows of 30 days 3 to 4 times faster from strings than from lists of four,
 * and the bytes are about half. The list `[bucket, timestamp, state, error]`
 * stays for a detail the string cannot give back exactly (a timestamp that is
 * not ISO text in ms, as an original node's nanoseconds; a state that is not a
 * systemd state word).
 */
export function encodeDetail(b: number, d: TimelineDetail): FeedDetail {
  const state = d.state ?? '';
  const error = d.error ?? '';
  const ms = isoTextMs(d.timestamp);
  if (ms === undefined || !STATE_WORD.test(state)) return [b, d.timestamp, state, error];
  return `${b} ${ms} ${state}${error === state ? '' : ` ${error}`}`;
}

/** Digits of `t` from `at`, `n` of them, as a number; NaN where one is not a digit. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * `t` in ms when it is exactly what toISOString writes for an instant
 * (`YYYY-MM-DDTHH:MM:SS.mmmZ`, every field in range); else undefined. Read
 * field by field: Date.parse is lenient (February 30 as March 2, 24:00 as the
 * next day), and writing each time back to compare cost a microsecond a detail.
 */
function isoTextMs(t: string): number | undefined {
  if (t.length !== 24 || t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':' || t[16] !== ':' || t[19] !== '.' || t[23] !== 'Z') return undefined;
  const [y, mo, d, h, mi, s, ms] = [digits(t, 0, 4), digits(t, 5, 2), digits(t, 8, 2), digits(t, 11, 2), digits(t, 14, 2), digits(t, 17, 2), digits(t, 20, 3)];
  if (!(mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && s <= 59 && ms >= 0)) return undefined;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999; such a year never reads back as written.
  return y >= 100 ? Date.UTC(y, mo - 1, d, h, mi, s, ms) : undefined;
}

/** A feed detail as [bucket, detail]; undefined when it is neither form. */
export function decodeDetail(f: FeedDetail): [number, TimelineDetail] | undefined {
  let b: number;
  let timestamp: string;
  let state: string;
  let error: string;
  if (typeof f === 'string') {
    const m = COMPACT_DETAIL.exec(f);
    if (m === null) return undefined;
    const ms = Number(m[2]);
    if (!(Math.abs(ms) <= 8.64e15)) return undefined;
    [b, timestamp, state, error] = [Number(m[1]), new Date(ms).toISOString(), m[3]!, m[4] ?? m[3]!];
  } else if (Array.isArray(f) && f.length === 4 && f.every((x, i) => typeof x === (i === 0 ? 'number' : 'string'))) [b, timestamp, state, error] = f;
  else return undefined;
  const d: TimelineDetail = { timestamp };
  if (state !== '') d.state = state;
  if (error !== '') d.error = error;
  return [b, d];
}

function encodeTimeline(points: readonly TimelinePoint[]): { timeline: string; details?: FeedDetail[] } {
  let timeline = '';
  const details: FeedDetail[] = [];
  points.forEach((p, b) => {
    timeline += TIMELINE_CODE[p.className] ?? 'm';
    for (const d of p.details ?? []) details.push(encodeDetail(b, d));
  });
  return details.length > 0 ? { timeline, details } : { timeline };
}

/**
 * Every unit the snapshot mentions (targets, uptime, latest checks,
 * timelines), joined by id in that order of first mention; the name is the
 * timeline's, the target's, the uptime's or the check's, else the id.
 */
export function feedUnits(snap: PeerSnapshot): FeedUnit[] {
  const targets = firstBy(snap.targets, (t) => t.id);
  const uptimes = firstBy(snap.services, (s) => s.id);
  const checks = firstBy(snap.status?.checks, (c) => c.id);
  const timelines = firstBy(snap.service_timelines, (t) => t.service_id);
  const ids = new Set<string>([...targets.keys(), ...uptimes.keys(), ...checks.keys(), ...timelines.keys()]);
  const out: FeedUnit[] = [];
  for (const id of ids) {
    const target = targets.get(id);
    const up = uptimes.get(id);
    const check = checks.get(id);
    const tl = timelines.get(id);
    const unit: FeedUnit = { id, name: tl?.service_name || target?.name || up?.name || check?.name || id || '(unnamed)' };
    if (target?.url !== undefined) unit.url = target.url;
    if (check) {
      // How long the sweep took is not shown by the dashboard, and it moves at every sample for every unit:
      // in every delta it was most of the bytes. /api/cluster and /metrics keep it.
      const { duration_ms: _duration, ...shown } = check;
      unit.check = shown;
    }
    if (up) {
      const { id: _id, name: _name, ...rest } = up;
      unit.uptime = rest;
    }
    if (tl) Object.assign(unit, encodeTimeline(tl.timeline));
    out.push(unit);
  }
  return out;
}

/** A unit whose row a folded card still shows (and whose failed check is an incident). */
export function isProblem(u: FeedUnit): boolean {
  return u.check?.ok === false || unitBadge(u.check, u.uptime?.last_state).tone !== 'ok';
}

/** Mean uptime of the units with checks in the range (as the original's node pill); null when none has. */
export function meanUptime(services: readonly ServiceUptime[] | undefined): number | null {
  const values = (services ?? []).filter((s) => s.total_checks > 0 && Number.isFinite(s.uptime_percent)).map((s) => s.uptime_percent);
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function probeFields(snap: PeerSnapshot): Partial<FeedSummaryNode> {
  const out: Partial<FeedSummaryNode> = {};
  if (snap.connectivity) out.connectivity = snap.connectivity;
  if (snap.connectivity_timeline && snap.connectivity_timeline.length > 0) out.connectivity_timeline = snap.connectivity_timeline;
  const history = snap.connectivity_history ?? [];
  if (history.length > 0) {
    let from = history.length;
    while (from > 0 && !history[from - 1]!.ok && history.length - from < TRAILING_PROBES) from--;
    if (from < history.length) out.connectivity_history = history.slice(from);
    const ok = history.reduce((n, s) => n + (s.ok ? 1 : 0), 0);
    out.connectivity_counts = { ok, total: history.length, first: history[0]!.checked_at };
  }
  return out;
}

/** The fields of a summary node that a peer's refresh moves without new data, in the summary's order. */
export type FeedSync = Pick<FeedSummaryNode, 'updated_at' | 'stale' | 'syncing' | 'last_success_at' | 'consecutive_failures' | 'error'>;

/** A snapshot's (or a peer's sync view's) updated_at and sync fields, as a summary shows them. */
export function feedSync(snap: Pick<PeerSnapshot, keyof FeedSync>): FeedSync {
  const out: FeedSync = { updated_at: snap.updated_at };
  if (snap.stale !== undefined) out.stale = snap.stale;
  if (snap.syncing !== undefined) out.syncing = snap.syncing;
  if (snap.last_success_at !== undefined) out.last_success_at = snap.last_success_at;
  if (snap.consecutive_failures !== undefined) out.consecutive_failures = snap.consecutive_failures;
  if (snap.error !== undefined) out.error = snap.error;
  return out;
}

/**
 * A node's summary in three pieces, in the summary's key order: what comes
 * before the sync fields, the sync fields, what comes after. The pieces apart
 * let a peer's summary take new sync fields without its rows being built
 * again (src/http/cluster-feed-routes.ts); joined, they are the summary.
 */
export interface FeedSummaryPieces {
  lead: Pick<FeedSummaryNode, 'node' | 'source'>;
  sync: FeedSync;
  rest: Omit<FeedSummaryNode, 'node' | 'source' | keyof FeedSync>;
}

/** A node's summary (in pieces) and its rows, from its snapshot. */
export function feedNodePieces(snap: PeerSnapshot, head: FeedHead): { summary: FeedSummaryPieces; detail: FeedNodeDetail } {
  const units = feedUnits(snap);
  const buckets = bucketsOf(snap.service_timelines?.[0]?.timeline);
  const rest: FeedSummaryPieces['rest'] = {
    ...(snap.status ? { status_at: snap.status.timestamp } : {}),
    ...probeFields(snap),
    uptime: meanUptime(snap.services),
    ...(buckets ? { buckets } : {}),
    units: units.map((u) => {
      const b = unitBadge(u.check, u.uptime?.last_state);
      return [u.id, u.name, b.state, b.tone];
    }),
    problems: units.filter(isProblem),
  };
  const detail: FeedNodeDetail = { node: snap.node, ...head, ...(buckets ? { buckets } : {}), units };
  return { summary: { lead: { node: snap.node, source: snap.source }, sync: feedSync(snap), rest }, detail };
}

/** A node's summary and its rows, from its snapshot. */
export function feedNode(snap: PeerSnapshot, head: FeedHead): { summary: FeedSummaryNode; detail: FeedNodeDetail } {
  const { summary: p, detail } = feedNodePieces(snap, head);
  return { summary: { ...p.lead, ...p.sync, ...p.rest }, detail };
}

/** The buckets of a compact timeline as /api/cluster sends them (labels are the original's, one per class). */
export function expandTimeline(timeline: string, buckets: FeedBuckets, details: readonly FeedDetail[] = []): TimelinePoint[] {
  const [start, step, end] = buckets;
  const n = timeline.length;
  const iso = (ms: number) => new Date(ms).toISOString();
  const points: TimelinePoint[] = [];
  for (let b = 0; b < n; b++) {
    const className = CLASS_OF[timeline[b]!] ?? 'state-missing';
    points.push({ className, label: LABEL[className], start: iso(start + b * step), end: iso(b === n - 1 ? end : start + (b + 1) * step) });
  }
  for (const f of details) {
    const [b, d] = decodeDetail(f) ?? [-1];
    const p = points[b];
    if (p && d) (p.details ??= []).push(d);
  }
  return points;
}
