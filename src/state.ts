/**
 * The one classification of a unit's state, shared by the server (timelines,
 * badges, metrics) and the dashboard (badges, colours, filters), so a state
 * has one colour everywhere. Pure: no Node or DOM imports (the dashboard
 * bundle includes this file).
 *
 * The rules are the original's timeline rules (API.md, "Timelines"), with one
 * deliberate difference: systemd's `refreshing` (a unit re-reading its
 * configuration, like `reloading`) is transitioning, not down.
 */

/** What a state means for the person watching it. "No data" is the absence of a sample, not a state. */
export type StateClass = 'ok' | 'transitioning' | 'down' | 'unknown';

/** Active states that need no action. `online` is the DNS probe's word for the same. */
const OK_STATES: ReadonlySet<string> = new Set(['active', 'running', 'online']);
/** systemd's transitional ActiveStates: they pass by themselves. */
export const TRANSITIONING_STATES: ReadonlySet<string> = new Set(['activating', 'deactivating', 'reloading', 'maintenance', 'refreshing']);
/** Explicit "down" states, which win over everything but ok. */
const DOWN_STATES: ReadonlySet<string> = new Set(['inactive', 'failed', 'degraded']);
/** No state known: the check could not tell (systemd unreachable, timed out) or nothing was recorded. */
const UNKNOWN_STATES: ReadonlySet<string> = new Set(['', 'unknown', 'missing']);

/**
 * Classifies one check. `ok` is the check's own verdict when known (a peer's
 * sample, a stored sample); `error` turns a result without a state into `down`
 * (the original's rule: not ok, no state, but an error).
 */
export function classifyState(ok: boolean | undefined, state: string | null | undefined, error?: string | null): StateClass {
  const s = (state ?? '').trim().toLowerCase();
  if (ok === false && (DOWN_STATES.has(s) || (s === '' && (error ?? '') !== ''))) return 'down';
  if (ok === true || OK_STATES.has(s)) return 'ok';
  if (TRANSITIONING_STATES.has(s)) return 'transitioning';
  if (UNKNOWN_STATES.has(s)) return 'unknown';
  return 'down';
}
