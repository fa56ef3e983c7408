/**
 * The rows of one node card: every unit the snapshot mentions (targets,
 * uptime, latest checks, timelines), joined by id, sorted by name.
 */
import { safeHttpUrl, stateTone, type Tone } from './format.js';
import { checkProblemSince } from './since.js';
import type { CheckResult, PeerSnapshot, ServiceUptime, TimelinePoint } from './types.js';

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
  uptime: ServiceUptime | undefined;
  points: readonly TimelinePoint[];
  /** When the current problem began (ms), for units that are not ok. */
  since: number | null;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function byId<T>(list: readonly T[] | null | undefined, id: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of list ?? []) {
    const key = id(item);
    if (!map.has(key)) map.set(key, item);
  }
  return map;
}

/**
 * The unit rows of a snapshot; peers that sent nothing yield an empty list.
 * With `previous` (the views of the last poll), a unit whose data did not
 * change keeps its old view object, so a keyed render skips its row.
 */
export function unitViews(snapshot: PeerSnapshot, previous?: ReadonlyMap<string, UnitView>): UnitView[] {
  const targets = byId(snapshot.targets, (t) => t.id);
  const uptimes = byId(snapshot.services, (s) => s.id);
  const checks = byId(snapshot.status?.checks, (c) => c.id);
  const timelines = byId(snapshot.service_timelines, (t) => t.service_id);
  const ids = new Set<string>([...targets.keys(), ...uptimes.keys(), ...checks.keys(), ...timelines.keys()]);

  const views: UnitView[] = [];
  for (const id of ids) {
    const target = targets.get(id);
    const uptime = uptimes.get(id);
    const check = checks.get(id);
    const timeline = timelines.get(id);
    const name = timeline?.service_name || target?.name || uptime?.name || check?.name || id || '(unnamed)';
    const state = check ? check.state || (check.ok ? 'active' : 'unknown') : uptime?.last_state || 'no data';
    const tone = check ? stateTone(state, check.ok) : stateTone(uptime?.last_state ? state : '');
    const points = timeline?.timeline ?? [];
    const view: UnitView = {
      key: id,
      id,
      name,
      url: safeHttpUrl(target?.url),
      state,
      tone,
      check,
      uptime,
      points,
      since: check && !check.ok ? checkProblemSince(check.since, points) : null,
    };
    const before = previous?.get(id);
    views.push(before && sameView(before, view) ? before : view);
  }
  views.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.id, b.id));
  return views;
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

function samePoints(a: readonly TimelinePoint[], b: readonly TimelinePoint[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const q = b[i]!;
    if (p.className !== q.className || p.start !== q.start || p.end !== q.end || p.label !== q.label) return false;
    if ((p.details?.length ?? 0) !== (q.details?.length ?? 0)) return false;
  }
  // New samples land in the last bucket: its newest detail is compared in full.
  const last = a.length - 1;
  return last < 0 || JSON.stringify(a[last]!.details?.at(-1)) === JSON.stringify(b[last]!.details?.at(-1));
}

/** Two views show the same thing (fields compared by value; timeline details by count and newest entry: new samples land at the end). */
function sameView(a: UnitView, b: UnitView): boolean {
  return (
    a.name === b.name &&
    a.url === b.url &&
    a.state === b.state &&
    a.tone === b.tone &&
    a.since === b.since &&
    sameRecord(a.check, b.check) &&
    sameRecord(a.uptime, b.uptime) &&
    samePoints(a.points, b.points)
  );
}

/**
 * The node's uptime pill value: the mean of its units' uptime, as the
 * original computes it; null when the node has no uptime data. Units
 * without a check in the range (a peer still syncing) have no uptime yet
 * and are left out, so they never read as 0 %.
 */
export function nodeUptime(snapshot: PeerSnapshot): number | null {
  const values = (snapshot.services ?? [])
    .filter((s) => s.total_checks > 0)
    .map((s) => s.uptime_percent)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
