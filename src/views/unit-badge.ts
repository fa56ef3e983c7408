/**
 * The state badge of a unit row: its text and colour, from the latest check
 * (or, without one, the last state its uptime saw). One rule for the server's
 * compact feed and the dashboard. Pure: no Node or DOM imports (the
 * dashboard bundle includes this file).
 */
import { classifyState, type StateClass } from '../state.js';
import type { CheckResult } from '../types.js';
import type { Tone } from './cluster-feed-schema.js';

export type { Tone };

const TONE: Readonly<Record<StateClass, Tone>> = { ok: 'ok', transitioning: 'warn', down: 'error', unknown: 'unknown' };

/** The badge colour of a state; `ok` is the check's own verdict when known. */
export function stateTone(state: string | null | undefined, ok?: boolean): Tone {
  return TONE[classifyState(ok, state)];
}

/**
 * A row's badge: the check's state (`active` / `unknown` when it has none),
 * else the uptime's last state, else "no data".
 */
export function unitBadge(check: Pick<CheckResult, 'ok' | 'state'> | undefined, lastState: string | undefined): { state: string; tone: Tone } {
  if (check) {
    const state = check.state || (check.ok ? 'active' : 'unknown');
    return { state, tone: stateTone(state, check.ok) };
  }
  return lastState ? { state: lastState, tone: stateTone(lastState) } : { state: 'no data', tone: stateTone('') };
}
