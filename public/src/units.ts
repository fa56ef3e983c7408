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

/** The unit rows of a snapshot; peers that sent nothing yield an empty list. */
export function unitViews(snapshot: PeerSnapshot): UnitView[] {
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
    views.push({
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
    });
  }
  views.sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.id, b.id));
  return views;
}

/**
 * The node's uptime pill value: the mean of its units' uptime, as the
 * original computes it; null when the node has no uptime data.
 */
export function nodeUptime(snapshot: PeerSnapshot): number | null {
  const values = (snapshot.services ?? [])
    .map((s) => s.uptime_percent)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
