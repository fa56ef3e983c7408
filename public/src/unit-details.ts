/**
 * What systemd knows about a unit beyond its state (sub-state, result, since
 * when, restarts, the last journal lines) as short display phrases for a
 * unit row. Pure: the clock is passed in, and every result is plain text
 * that the components bind as text (journal lines are untrusted).
 */
import { formatDateTime, formatDuration, parseTime } from './format.js';
import type { CheckResult } from './types.js';

/** The details of a unit that is not ok, ready to show. */
export interface UnitDetails {
  /**
   * Phrases shown in this order, joined by " · ": why (the error, unless
   * the state with its sub-state says it already), "failed (failed)",
   * "result exit-code", "since 10:36 AM (for 2 h 5 min)", "3 restarts".
   * Absent facts are left out; never empty.
   */
  facts: DetailFact[];
  /** The node sent journal lines (possibly none): oldest first. Null when it sent none. */
  journal: readonly string[] | null;
  /** Why the node could not read the journal, or null. */
  journalError: string | null;
}

/** One phrase; `title` is a longer form for a tooltip (e.g. the full date). */
export interface DetailFact {
  kind: 'why' | 'state' | 'result' | 'since' | 'restarts';
  text: string;
  title?: string;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** "failed (failed)" with a sub-state, else the state alone. */
export function stateWithSub(state: string, subState: string | undefined): string {
  return subState ? `${state} (${subState})` : state;
}

/** "1 restart", "3 restarts"; null for none or a value that is not a count. */
export function formatRestarts(restarts: number | undefined): string | null {
  if (typeof restarts !== 'number' || !Number.isInteger(restarts) || restarts <= 0) return null;
  return restarts === 1 ? '1 restart' : `${restarts} restarts`;
}

/**
 * "since 10:36 AM (for 2 h 5 min)" when `since` is on the same day as
 * `now`, else "since Nov 27, 9:00 PM (for 1 d 13 h)".
 */
export function formatSinceFor(since: number, now: number): string {
  const when = dayFmt.format(since) === dayFmt.format(now) ? timeFmt.format(since) : dayTimeFmt.format(since);
  return `since ${when} (for ${formatDuration(now - since)})`;
}

/**
 * The details of a unit that is not ok. `state` is the row's state text
 * (the check's state, or what stands in for it); `since` is when the
 * problem began (ms), from the check or its timeline, or null.
 */
export function unitDetails(check: CheckResult, state: string, since: number | null, now: number): UnitDetails {
  const facts: DetailFact[] = [];
  const why = (check.error ?? '').trim() || state;
  // A failed unit's error is its state: "failed (failed)" says it once, with more.
  const sameAsState = why.toLowerCase() === state.trim().toLowerCase();
  if (!(sameAsState && check.sub_state)) facts.push({ kind: 'why', text: why });
  if (check.sub_state) facts.push({ kind: 'state', text: stateWithSub(state, check.sub_state), title: 'state (sub-state)' });
  if (check.result) facts.push({ kind: 'result', text: `result ${check.result}`, title: 'systemd Result of the last run' });
  if (since !== null) {
    // systemd's own time can be long before the monitor saw the problem (incidents count from then).
    const source = parseTime(check.since) === since ? 'when the unit entered this state' : 'first failing sample seen';
    facts.push({ kind: 'since', text: formatSinceFor(since, now), title: `${formatDateTime(since)}: ${source}` });
  }
  const restarts = formatRestarts(check.restarts);
  if (restarts !== null) facts.push({ kind: 'restarts', text: restarts, title: 'automatic restarts by systemd (NRestarts)' });
  return {
    facts,
    journal: Array.isArray(check.journal) ? check.journal : null,
    journalError: check.journal_error ? check.journal_error : null,
  };
}

/**
 * Tooltip of an ok unit's state badge: "active (running) · since Nov 28,
 * 2026, 10:35 AM", or just the state when the node sent no details.
 */
export function okUnitTitle(check: CheckResult | undefined, state: string): string {
  if (!check) return state;
  const since = parseTime(check.since);
  const head = stateWithSub(state, check.sub_state);
  return since === null ? head : `${head} · since ${formatDateTime(since)}`;
}

/** "Journal · last 3 lines", "Journal · last line", "Journal · no entries". */
export function journalSummary(lines: readonly string[]): string {
  if (lines.length === 0) return 'Journal · no entries';
  return lines.length === 1 ? 'Journal · last line' : `Journal · last ${lines.length} lines`;
}
