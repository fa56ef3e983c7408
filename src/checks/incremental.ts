/**
 * A sweep that reads every unit's state cheaply and its details only when
 * they may have moved. Each sweep asks one `systemctl list-units` per batch
 * for load/active/sub state (a few fields per unit) and runs the expensive
 * `systemctl show` (every property of a unit) only for the units that need
 * it (see `needsShow`); the others keep the `result`, `since` and `restarts`
 * read last time. `state`, `ok`, `error` and `sub_state` are always the
 * current ones. docs/checks.md tells an operator how fresh each field is.
 */
import type { TargetConfig } from '../config/types.js';
import type { CheckResult } from '../types.js';
import type { UnitState } from './jobs.js';
import { listable } from './listable.js';
import type { CheckPool, CheckTargetsOptions, DetailedCheck, ListedState } from './pool.js';

export interface IncrementalOptions {
  /** A settled unit's details are re-read at least every this many sweeps (staggered over the units). Default 10. */
  detailsEvery?: number;
}

/** What the last `show` of a unit said, and whether list-units listed it then. */
export interface Known {
  state: string;
  sub: string | undefined;
  details: Pick<CheckResult, 'result' | 'since' | 'restarts'>;
  /** The Id systemd showed it under; differs from the name for an alias. */
  unitId: string | undefined;
  listed: boolean;
}

/** States a unit stays in until something happens to it; in any other (activating, deactivating, reloading, …) restarts climb and since moves without a change of state. */
const SETTLED = new Set(['active', 'inactive', 'failed']);

const DEFAULT_DETAILS_EVERY = 10;

/**
 * Whether a unit must be read with `show` this sweep. Yes when nothing is
 * known yet; when list-units could not say (not listable, call failed); when
 * its state or sub-state differs from the last `show`; when it is in motion
 * (not a settled state); when it is due for its periodic re-read; when journal
 * lines are wanted and it is not ok (they come with `show`). A unit list-units
 * does not list is read again too, except one that was not listed at its last
 * `show` either, under its own name, inactive and dead: an unloaded unit,
 * which `show` (and `is-active`) would load afresh and report the same way.
 */
export function needsShow(known: Known | undefined, listed: ListedState, service: string, due: boolean, journal: boolean): boolean {
  if (known === undefined || listed === undefined || due) return true;
  if (listed === null) return known.listed || known.unitId !== service || known.state !== 'inactive' || known.sub !== 'dead';
  if (!known.listed || listed.active !== known.state || listed.sub !== known.sub) return true;
  return !SETTLED.has(listed.active) || (journal && listed.active !== 'active');
}

/** A result from list-units' state and the details of the last `show`, shaped as `show` shapes it. */
function fromKnown(target: TargetConfig, state: string, sub: string | undefined, known: Known, durationMs: number): CheckResult {
  const ok = state === 'active';
  const out: CheckResult = { id: target.id, name: target.name, ok, state };
  if (!ok) out.error = state;
  if (sub !== undefined && sub !== '') out.sub_state = sub;
  const { result, since, restarts } = known.details;
  if (result !== undefined) out.result = result;
  if (since !== undefined) out.since = since;
  if (restarts !== undefined) out.restarts = restarts;
  out.duration_ms = durationMs;
  return out;
}

function remember(check: DetailedCheck, listed: ListedState): Known | undefined {
  const r = check.result;
  // A unit that could not be read is asked again in full next time.
  if (r.state === undefined || r.state === 'unknown') return undefined;
  const details: Known['details'] = {};
  if (r.result !== undefined) details.result = r.result;
  if (r.since !== undefined) details.since = r.since;
  if (r.restarts !== undefined) details.restarts = r.restarts;
  return { state: r.state, sub: r.sub_state, details, unitId: check.unitId, listed: listed !== null && listed !== undefined };
}

const keyOf = (t: TargetConfig): string => `${t.use_sudo ? 'sudo' : 'plain'}\u0000${t.service}`;

/**
 * Wraps `pool` into a checker with the same contract as `pool.checkTargets`
 * (one result per target, in order, never a rejection) that keeps what it
 * learnt between calls. One per daemon: it is meant to be called once per sweep.
 */
export function createIncrementalChecker(
  pool: Pick<CheckPool, 'checkDetailed' | 'listStates'>,
  opts: IncrementalOptions = {},
): { checkTargets(targets: readonly TargetConfig[], checkOpts?: CheckTargetsOptions): Promise<CheckResult[]> } {
  const every = opts.detailsEvery ?? DEFAULT_DETAILS_EVERY;
  if (!Number.isInteger(every) || every < 1) throw new TypeError(`createIncrementalChecker: detailsEvery must be a positive integer, got ${String(every)}`);
  let known = new Map<string, Known>();
  let sweep = 0;
  const listPausedUntil = new Map<boolean, number>();

  return {
    async checkTargets(targets, checkOpts = {}) {
      sweep += 1;
      const listedIdx = targets.flatMap((t, i) => (listable(t.service) && sweep >= (listPausedUntil.get(t.use_sudo) ?? 0) ? [i] : []));
      const list = await pool.listStates(listedIdx.map((i) => targets[i] as TargetConfig));
      const listed = new Array<ListedState>(targets.length).fill(undefined);
      listedIdx.forEach((targetIdx, k) => (listed[targetIdx] = list.states[k]));
      // A list-units that failed for a whole sudo/plain group (a sudoers rule allowing only `show`) is not retried every sweep.
      for (const sudo of [true, false]) {
        const asked = listedIdx.filter((i) => targets[i]?.use_sudo === sudo);
        if (asked.length > 0 && asked.every((i) => listed[i] === undefined)) listPausedUntil.set(sudo, sweep + every);
      }
      const journal = (checkOpts.journalLines ?? 0) > 0;
      const show = targets.flatMap((t, i) => (needsShow(known.get(keyOf(t)), listed[i], t.service, (sweep + i) % every === 0, journal) ? [i] : []));
      const shown = await pool.checkDetailed(show.map((i) => targets[i] as TargetConfig), checkOpts);

      const next = new Map<string, Known>();
      const out = new Array<CheckResult>(targets.length);
      show.forEach((targetIdx, k) => {
        const check = shown[k] as DetailedCheck;
        out[targetIdx] = check.result;
        const fresh = remember(check, listed[targetIdx]);
        if (fresh !== undefined) next.set(keyOf(targets[targetIdx] as TargetConfig), fresh);
      });
      targets.forEach((t, i) => {
        if (out[i] !== undefined) return;
        const k = known.get(keyOf(t)) as Known;
        const row = listed[i] as UnitState | null;
        out[i] = row === null ? fromKnown(t, k.state, k.sub, k, list.durationMs) : fromKnown(t, row.active, row.sub, k, list.durationMs);
        if (!next.has(keyOf(t))) next.set(keyOf(t), k);
      });
      known = next;
      return out;
    },
  };
}
