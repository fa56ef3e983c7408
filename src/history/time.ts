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

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * RFC 3339 with milliseconds, e.g. `2026-11-28T10:37:49.008Z` (Go parses
 * it); the same text as Date#toISOString for years 0-9999, about three times
 * faster (timelines format tens of thousands of these per request).
 */
export function isoMs(ms: number): string {
  if (!(ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rem = ms - days * DAY_MS;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = Math.floor(rem - sec * 1000);
  const year = y < 1000 ? String(y).padStart(4, '0') : String(y);
  return `${year}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
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
