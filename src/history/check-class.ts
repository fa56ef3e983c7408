/**
 * Classification of one check result, computed once per distinct result when
 * it is interned, so views never look at strings while scanning.
 * The rules are the original's timeline rules (internal/history/timeline.go).
 */

/** Timeline: "Unavailable"; the sample gets a detail. */
export const CLS_ERROR = 1;
/** Timeline: "No data" (state missing, empty or unknown). */
export const CLS_MISSING = 2;
/** Timeline: "Transitioning"; the sample gets a detail. */
export const CLS_WARNING = 4;
/** Timeline: "Operational". */
export const CLS_SUCCESS = 8;
/** The result has a non-empty `state` (uptime's last_state only counts those). */
export const CLS_HAS_STATE = 16;
/** Samples listed in a bucket's details. */
export const CLS_DETAIL = CLS_ERROR | CLS_WARNING;

const ERROR_STATES = new Set(['inactive', 'failed', 'degraded']);
const WARNING_STATES = new Set(['activating', 'deactivating', 'reloading', 'maintenance']);

/** Class bits (one timeline class plus CLS_HAS_STATE when state is non-empty). */
export function classify(ok: boolean, state: string | undefined, error: string | undefined): number {
  const raw = state ?? '';
  const s = raw.toLowerCase();
  const hasState = raw === '' ? 0 : CLS_HAS_STATE;
  const err = error ?? '';
  if (!ok && (ERROR_STATES.has(s) || (s === '' && err !== ''))) return CLS_ERROR | hasState;
  if (ok || s === 'active' || s === 'running') return CLS_SUCCESS | hasState;
  if (s === 'missing') return CLS_MISSING | hasState;
  if (WARNING_STATES.has(s)) return CLS_WARNING | hasState;
  if (s === '' || s === 'unknown') return CLS_MISSING | hasState;
  return CLS_ERROR | hasState;
}
