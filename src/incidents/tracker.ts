/**
 * The incident state machine: fed one observation at a time (a unit's check,
 * a peer refresh, a DNS probe), it opens an incident after `failure`
 * consecutive failing observations of a subject and closes it after `success`
 * consecutive passing ones. No I/O and no clock: times come with the
 * observations, so hand-built sequences test it completely.
 */
import type { AffectedUnit, IncidentChange, IncidentKind, StoredIncident } from './types.js';

/** Consecutive observations needed to open (`failure`) and to close (`success`) an incident; both at least 1. */
export interface Thresholds {
  failure: number;
  success: number;
}

export interface Observation {
  kind: IncidentKind;
  subject: string;
  name: string;
  ok: boolean;
  /** The state seen (unit ActiveState, "offline", "sync-failed"); failing observations only. */
  state?: string;
  error?: string;
  /** When it was observed (epoch ms). */
  atMs: number;
  /** Host causes only: the units the cause hid in this observation; added to the incident's list. */
  units?: readonly AffectedUnit[];
}

export interface TrackerOptions {
  /** Id of this node, stamped on every incident. */
  node: string;
  /** Thresholds for a subject, read at each observation (so they may differ per target). */
  thresholds: (kind: IncidentKind, subject: string) => Thresholds;
  /** Distinct states kept per incident (default 10). */
  maxStates?: number;
  /** Distinct errors kept per incident, the latest (default 5). */
  maxErrors?: number;
  /** Characters kept of one error (default 500). */
  maxErrorLength?: number;
}

export interface Tracker {
  /** Feeds one observation; returns what changed (nothing, or one open, update or resolve). */
  observe(o: Observation): IncidentChange[];
  /**
   * Closes, at `atMs`, every open incident whose subject `keep` rejects
   * (e.g. a target removed from the config); no one will ever observe it again.
   */
  retire(keep: (kind: IncidentKind, subject: string) => boolean, atMs: number): IncidentChange[];
  /** Copies of the open incidents. */
  openIncidents(): StoredIncident[];
}

/** A run of observations not yet decisive: failures before opening, or passes before closing. */
interface Streak {
  count: number;
  startMs: number;
  states: string[];
  errors: string[];
  lastMs: number;
  units?: AffectedUnit[];
}

interface SubjectState {
  open?: StoredIncident;
  /** Failures in a row while no incident is open. */
  failing?: Streak;
  /** Passes in a row while an incident is open. */
  passing?: Streak;
}

const keyOf = (kind: IncidentKind, subject: string): string => `${kind}\u0000${subject}`;

/** `<kind>:<subject>:<start ms>`: one subject cannot start two incidents in the same millisecond. */
export function incidentId(kind: IncidentKind, subject: string, startMs: number): string {
  return `${kind}:${subject}:${startMs}`;
}

/** The tracker's settings with their defaults. */
interface Ctx {
  node: string;
  maxStates: number;
  maxErrors: number;
  maxErrorLength: number;
  limits(kind: IncidentKind, subject: string): Thresholds;
}

/** Adds a distinct state (absent or empty: "unknown") while there is room; returns whether the list changed. */
function addState(ctx: Ctx, list: string[], state: string | undefined): boolean {
  const s = state === undefined || state === '' ? 'unknown' : state;
  if (list.includes(s) || list.length >= ctx.maxStates) return false;
  list.push(s);
  return true;
}

/** Latest errors win: a repeated one moves to the end. Returns whether the list changed. */
function addError(ctx: Ctx, list: string[], error: string | undefined): boolean {
  if (error === undefined || error === '') return false;
  const e = error.length > ctx.maxErrorLength ? `${error.slice(0, ctx.maxErrorLength - 1)}…` : error;
  const at = list.indexOf(e);
  if (at === list.length - 1 && at !== -1) return false;
  if (at !== -1) list.splice(at, 1);
  list.push(e);
  if (list.length > ctx.maxErrors) list.splice(0, list.length - ctx.maxErrors);
  return true;
}

/** New units appended (first-seen order); returns whether the list changed. */
function addUnits(holder: { units?: AffectedUnit[] }, units: readonly AffectedUnit[] | undefined): boolean {
  if (units === undefined || units.length === 0) return false;
  const list = (holder.units ??= []);
  const known = new Set(list.map((u) => u.id));
  let changed = false;
  for (const u of units) {
    if (known.has(u.id)) continue;
    known.add(u.id);
    list.push({ id: u.id, name: u.name });
    changed = true;
  }
  return changed;
}

/** The incident a failing run opens once it reaches the threshold. */
function openedBy(ctx: Ctx, run: Streak, o: Observation): StoredIncident {
  return {
    id: incidentId(o.kind, o.subject, run.startMs),
    kind: o.kind,
    subject: o.subject,
    name: o.name,
    node: ctx.node,
    started_at: iso(run.startMs),
    last_failure_at: iso(run.lastMs),
    states: run.states,
    errors: run.errors,
    samples: run.count,
    ...(run.units !== undefined ? { units: run.units } : {}),
  };
}

function onFailure(ctx: Ctx, st: SubjectState, o: Observation): IncidentChange[] {
  delete st.passing;
  if (st.open !== undefined) {
    const inc = st.open;
    inc.samples++;
    inc.last_failure_at = iso(o.atMs);
    const changedState = addState(ctx, inc.states, o.state);
    const changedError = addError(ctx, inc.errors, o.error);
    const changedUnits = addUnits(inc, o.units);
    return changedState || changedError || changedUnits ? [{ type: 'update', incident: copy(inc) }] : [];
  }
  const run = st.failing ?? { count: 0, startMs: o.atMs, states: [], errors: [], lastMs: o.atMs };
  run.count++;
  run.lastMs = o.atMs;
  addState(ctx, run.states, o.state);
  addError(ctx, run.errors, o.error);
  addUnits(run, o.units);
  st.failing = run;
  if (run.count < ctx.limits(o.kind, o.subject).failure) return [];
  delete st.failing;
  st.open = openedBy(ctx, run, o);
  return [{ type: 'open', incident: copy(st.open) }];
}

function onSuccess(ctx: Ctx, st: SubjectState, o: Observation): IncidentChange[] {
  delete st.failing;
  if (st.open === undefined) return [];
  const run = st.passing ?? { count: 0, startMs: o.atMs, states: [], errors: [], lastMs: o.atMs };
  run.count++;
  run.lastMs = o.atMs;
  st.passing = run;
  if (run.count < ctx.limits(o.kind, o.subject).success) return [];
  const closed = closeAt(st.open, run.startMs);
  delete st.open;
  delete st.passing;
  return [{ type: 'resolve', incident: copy(closed) }];
}

/**
 * Creates a tracker. `restored` are incidents still open when the daemon last
 * stopped: they stay open and close at the first passing run, so one that
 * recovered while the daemon was down ends at its first good sample.
 */
export function createTracker(opts: TrackerOptions, restored: readonly StoredIncident[] = []): Tracker {
  const ctx: Ctx = {
    node: opts.node,
    maxStates: opts.maxStates ?? 10,
    maxErrors: opts.maxErrors ?? 5,
    maxErrorLength: opts.maxErrorLength ?? 500,
    limits(kind, subject) {
      const t = opts.thresholds(kind, subject);
      return { failure: Math.max(1, Math.floor(t.failure)), success: Math.max(1, Math.floor(t.success)) };
    },
  };
  const subjects = new Map<string, SubjectState>();
  for (const inc of restored) {
    if (inc.ended_at === undefined) subjects.set(keyOf(inc.kind, inc.subject), { open: copy(inc) });
  }

  return {
    observe(o) {
      const key = keyOf(o.kind, o.subject);
      let st = subjects.get(key);
      if (st === undefined) {
        if (o.ok) return []; // nothing to track for a healthy subject never seen failing
        st = {};
        subjects.set(key, st);
      }
      if (st.open !== undefined && o.name !== '' && st.open.name !== o.name) st.open.name = o.name;
      const changes = o.ok ? onSuccess(ctx, st, o) : onFailure(ctx, st, o);
      if (st.open === undefined && st.failing === undefined) subjects.delete(key);
      return changes;
    },
    retire(keep, atMs) {
      const changes: IncidentChange[] = [];
      for (const [key, st] of subjects) {
        const inc = st.open;
        if (inc === undefined || keep(inc.kind, inc.subject)) continue;
        const endMs = Math.max(atMs, Date.parse(inc.last_failure_at));
        changes.push({ type: 'resolve', incident: copy(closeAt(inc, endMs)) });
        subjects.delete(key);
      }
      return changes;
    },
    openIncidents() {
      return [...subjects.values()].flatMap((st) => (st.open !== undefined ? [copy(st.open)] : []));
    },
  };
}

/** The incident ended at `ms`; ended_at placed after started_at, where a reader of the file looks for it. */
function closeAt(inc: StoredIncident, ms: number): StoredIncident {
  const { id, kind, subject, name, node, started_at, ...rest } = inc;
  return { id, kind, subject, name, node, started_at, ended_at: iso(ms), ...rest };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function copy(inc: StoredIncident): StoredIncident {
  const out = { ...inc, states: [...inc.states], errors: [...inc.errors] };
  if (inc.units !== undefined) out.units = inc.units.map((u) => ({ ...u }));
  return out;
}
