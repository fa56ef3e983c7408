/**
 * Time helpers shared by the history logs, the file store and the views.
 * All times inside history are epoch milliseconds (UTC).
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Go's zero `time.Time` as JSON; the original writes it for "never". */
const GO_ZERO_MS = Date.parse('0001-01-01T00:00:00Z');

/**
 * Parses an RFC 3339 timestamp to epoch ms (sub-millisecond digits are
 * truncated, as Go's would be when shown in ms). Returns NaN when the value is
 * not a usable time, including Go's zero time.
 */
export function parseTime(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms === GO_ZERO_MS) return NaN;
  return ms;
}

/** RFC 3339 with milliseconds, e.g. `2026-11-28T10:37:49.008Z` (Go parses it). */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Whole-second RFC 3339, truncated as Go's `time.RFC3339` formatting does: `2026-11-28T10:37:49Z`. */
export function isoSeconds(ms: number): string {
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 19)}Z`;
}

/** Start (ms) of the UTC day containing `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** `2026-11-28` for the UTC day containing `ms`. */
export function dayKey(ms: number): string {
  return new Date(dayStart(ms)).toISOString().slice(0, 10);
}

/** Inverse of {@link dayKey}; NaN for anything that is not a real `YYYY-MM-DD` day. */
export function parseDayKey(key: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) return NaN;
  const ms = Date.parse(`${key}T00:00:00Z`);
  return Number.isFinite(ms) && dayKey(ms) === key ? ms : NaN;
}
