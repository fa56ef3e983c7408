/**
 * The rows of one node card: every unit the data mentions, sorted by name.
 * A row is built from the compact feed's unit (src/views/cluster-feed.ts),
 * or from an /api/cluster snapshot through the same join; its timeline stays
 * a string of letters until a row on screen draws it.
 */
import { bucketsOf, expandTimeline, feedUnits, meanUptime, type FeedBuckets, type FeedDetail, type FeedUnit, type FeedUnitBrief } from '../../src/views/cluster-feed.js';
import { unitBadge } from '../../src/views/unit-badge.js';
import { safeHttpUrl, type Tone } from './format.js';
import { checkProblemSince } from './since.js';
import type { CheckResult, PeerSnapshot, TimelinePoint } from './types.js';

/** Everything a `<jm-unit-row>` shows. */
export interface UnitView {
  /** Unique within its node, stable across refreshes (used as the render key). */
  key: string;
  id: string;
  name: string;
  /** Absolute http(s) link of the target, or null. */
  url: string | null;
  /** State badge text, e.g. "active", "failed", "no data". */
  state: string;
  tone: Tone;
  /** The latest sample's result for this unit, when there is one. */
  check: CheckResult | undefined;
  uptime: FeedUnit['uptime'];
  /** The timeline, one letter per bucket (see cluster-feed.ts); '' when none. */
  timeline: string;
  details: readonly FeedDetail[];
  buckets: FeedBuckets | null;
  /** When the current problem began (ms), for units that are not ok. */
  since: number | null;
  /** Only the summary's brief form: the row's figures and timeline are still to be loaded. */
  brief: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const expanded = new WeakMap<UnitView, readonly TimelinePoint[]>();

/** The row's timeline buckets, made from the letters when first asked (only rows on screen ask). */
export function pointsOf(u: UnitView): readonly TimelinePoint[] {
  if (!u.buckets || u.timeline === '') return [];
  let points = expanded.get(u);
  if (!points) expanded.set(u, (points = expandTimeline(u.timeline, u.buckets, u.details)));
  return points;
}

/** The row of a feed unit. */
export function unitView(u: FeedUnit, buckets: FeedBuckets | null): UnitView {
  const badge = unitBadge(u.check, u.uptime?.last_state);
  const view: UnitView = {
    key: u.id,
    id: u.id,
    name: u.name,
    url: safeHttpUrl(u.url),
    state: badge.state,
    tone: badge.tone,
    check: u.check,
    uptime: u.uptime,
    timeline: u.timeline ?? '',
    details: u.details ?? [],
    buckets,
    since: null,
    brief: false,
  };
  if (u.check && !u.check.ok) view.since = checkProblemSince(u.check.since, pointsOf(view));
  return view;
}

/** The row of a summary's brief unit (name and badge only). */
export function briefView([id, name, state, tone]: FeedUnitBrief): UnitView {
  return { key: id, id, name, url: null, state, tone, check: undefined, uptime: undefined, timeline: '', details: [], buckets: null, since: null, brief: true };
}

/**
 * Sorted rows; with `previous` (the rows of the last poll), a row whose data
 * did not change keeps its old object, so a keyed render skips it.
 */
export function sortedViews(views: UnitView[], previous?: ReadonlyMap<string, UnitView>): UnitView[] {
  const out = views.map((v) => {
    const before = previous?.get(v.key);
    return before && sameView(before, v) ? before : v;
  });
  out.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.id, b.id));
  return out;
}

/** The unit rows of an /api/cluster snapshot; peers that sent nothing yield an empty list. */
export function unitViews(snapshot: PeerSnapshot, previous?: ReadonlyMap<string, UnitView>): UnitView[] {
  const buckets = bucketsOf(snapshot.service_timelines?.[0]?.timeline) ?? null;
  return sortedViews(feedUnits(snapshot).map((u) => unitView(u, buckets)), previous);
}

/** The views by key, to pass as `previous` to the next `unitViews` call. */
export function viewsByKey(views: readonly UnitView[]): Map<string, UnitView> {
  return new Map(views.map((v) => [v.key, v]));
}

function sameRecord<T extends object>(a: T | undefined, b: T | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a) as (keyof T)[];
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k] || (Array.isArray(a[k]) && JSON.stringify(a[k]) === JSON.stringify(b[k])));
}

/** A feed detail as text to compare (a string already, or a list). */
const detailText = (d: FeedDetail | undefined): string | undefined => (typeof d === 'string' || d === undefined ? d : d.join());

/** Two views show the same thing (fields by value; details by count and newest entry: new samples land at the end). */
function sameView(a: UnitView, b: UnitView): boolean {
  return (
    a.name === b.name &&
    a.url === b.url &&
    a.state === b.state &&
    a.tone === b.tone &&
    a.since === b.since &&
    a.brief === b.brief &&
    a.timeline === b.timeline &&
    a.buckets?.join() === b.buckets?.join() &&
    a.details.length === b.details.length &&
    detailText(a.details.at(-1)) === detailText(b.details.at(-1)) &&
    sameRecord(a.check, b.check) &&
    sameRecord(a.uptime, b.uptime)
  );
}

/**
 * The node's uptime pill value: the mean of its units' uptime, as the
 * original computes it; null when the node has no uptime data. Units
 * without a check in the range (a peer still syncing) have no uptime yet
 * and are left out, so they never read as 0 %.
 */
export function nodeUptime(snapshot: PeerSnapshot): number | null {
  return meanUptime(snapshot.services);
}
