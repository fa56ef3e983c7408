/**
 * Pure formatting helpers: numbers, times and states to display strings and
 * tone names. Nothing here touches the DOM; every result is plain text that
 * the components bind as text.
 */
import { stateTone, type Tone } from '../../src/views/unit-badge.js';
import type { RangeName } from './types.js';

/** Colour level of an uptime percentage; `none` when there is no data. */
export type UptimeLevel = 'good' | 'warn' | 'bad' | 'none';

/** Tone of a unit state: the server's classification (src/state.ts), so a badge and its timeline always agree. */
export { stateTone, type Tone };

const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dayTimeFmt = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const timeSecFmt = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dayFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const relFmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/**
 * Milliseconds since the epoch of an RFC 3339 string, or null when it is
 * missing or unparsable. Go sends nanoseconds; the fraction is cut to
 * milliseconds first because not every engine parses more digits.
 */
export function parseTime(iso: string | null | undefined): number | null {
  if (typeof iso !== 'string' || iso === '') return null;
  const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : null;
}

/** "Nov 28, 2026, 10:38 AM" in the browser's locale; "—" when unknown. */
export function formatDateTime(value: string | number | null | undefined): string {
  const ms = typeof value === 'number' ? value : parseTime(value);
  return ms === null ? '—' : dateTimeFmt.format(ms);
}

/** "10:38:11 AM" when `value` is on the same day as `now`, else the full date and time. */
export function formatMoment(value: string | number | null | undefined, now: number): string {
  const ms = typeof value === 'number' ? value : parseTime(value);
  if (ms === null) return '—';
  return sameDay(ms, now) ? timeSecFmt.format(ms) : dateTimeFmt.format(ms);
}

/** "10:38:11" (with seconds), for sample timestamps inside a bucket. */
export function formatTimeOfDay(value: string | number | null | undefined): string {
  const ms = typeof value === 'number' ? value : parseTime(value);
  return ms === null ? '—' : timeSecFmt.format(ms);
}

function sameDay(a: number, b: number): boolean {
  return dayFmt.format(a) === dayFmt.format(b);
}

/**
 * A time span as short as it stays unambiguous:
 * "Nov 28, 10:20 – 10:38" on one day, "Nov 27, 21:00 – Nov 28, 06:00" across days.
 */
export function formatSpan(start: string | number | null | undefined, end: string | number | null | undefined): string {
  const a = typeof start === 'number' ? start : parseTime(start);
  const b = typeof end === 'number' ? end : parseTime(end);
  if (a === null || b === null) return '—';
  return sameDay(a, b)
    ? `${dayTimeFmt.format(a)} – ${timeFmt.format(b)}`
    : `${dayTimeFmt.format(a)} – ${dayTimeFmt.format(b)}`;
}

/** "3 min ago", "in 2 hr", "now"; the reference time is passed in (injectable clock). */
export function formatRelative(value: string | number | null | undefined, now: number): string {
  const ms = typeof value === 'number' ? value : parseTime(value);
  if (ms === null) return '—';
  const diff = ms - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return relFmt.format(0, 'second');
  if (abs < 45 * 60_000) return relFmt.format(Math.round(diff / 60_000), 'minute');
  if (abs < 22 * 3_600_000) return relFmt.format(Math.round(diff / 3_600_000), 'hour');
  return relFmt.format(Math.round(diff / 86_400_000), 'day');
}

/** A human duration such as "2 h 5 min" or "3 d 4 h"; for "since" texts. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "99.95%" with two decimals, as the original; "n/a" for a missing value. */
export function formatPercent(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(2)}%` : 'n/a';
}

/** Colour level: >= 99.9 good, >= 95 warn, else bad; `none` without data. */
export function uptimeLevel(value: number | null | undefined): UptimeLevel {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'none';
  if (value >= 99.9) return 'good';
  if (value >= 95) return 'warn';
  return 'bad';
}

/**
 * The URL as an absolute http(s) href, or null. Anything else (javascript:,
 * data:, relative paths, garbage) never becomes a link.
 */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (typeof url !== 'string' || url.trim() === '') return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** "Last 24 hours" / "Last 30 days". */
export function rangeLabel(range: RangeName): string {
  return range === '30d' ? 'Last 30 days' : 'Last 24 hours';
}
