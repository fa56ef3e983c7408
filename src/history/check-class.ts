/**
 * Classification of one check result as bits, computed once per distinct result
 * when it is interned, so views never look at strings while scanning. The rule
 * itself is src/state.ts, shared with the dashboard.
 */
import { classifyState, type StateClass } from '../state.js';

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

const CLASS_BITS: Readonly<Record<StateClass, number>> = {
  ok: CLS_SUCCESS,
  transitioning: CLS_WARNING,
  down: CLS_ERROR,
  unknown: CLS_MISSING,
};

/** Class bits (one timeline class plus CLS_HAS_STATE when state is non-empty). */
export function classify(ok: boolean, state: string | undefined, error: string | undefined): number {
  const hasState = (state ?? '') === '' ? 0 : CLS_HAS_STATE;
  return CLASS_BITS[classifyState(ok, state, error)] | hasState;
}
