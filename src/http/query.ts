import * as v from 'valibot';
import type { RangeName } from '../types.js';
import { HttpError } from './errors.js';

const RANGE_ALIASES: Readonly<Record<string, RangeName>> = {
  '24h': '24h', '1d': '24h', '24hours': '24h',
  '30d': '30d', '30day': '30d', '30days': '30d',
};

/** Query values longer than this are refused outright (a 414-ish 400). */
const MAX_PARAM = 64;

function single(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  const s = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof s !== 'string') return undefined;
  if (s.length > MAX_PARAM) throw new HttpError(400, `${name}: value too long`, 'bad_query');
  return s;
}

/**
 * `range` as the original: 24h by default; 30d, 30day, 30days. With
 * `strict`, an unknown value is a 400 (our own routes); otherwise it falls
 * back to 24h (the original's routes, which its peers and dashboards call).
 */
export function parseRange(raw: unknown, strict: boolean): RangeName {
  const s = single(raw, 'range');
  if (s === undefined || s === '') return '24h';
  const r = RANGE_ALIASES[s.toLowerCase()];
  if (r !== undefined) return r;
  if (strict) throw new HttpError(400, `range: unknown value ${JSON.stringify(s)} (use 24h or 30d)`, 'bad_query');
  return '24h';
}

/**
 * `limit` as the original: newest N entries; a missing, non-numeric or
 * non-positive value means the maximum, and a larger one is capped at it.
 */
export function parseLimit(raw: unknown, max: number): number {
  const s = single(raw, 'limit');
  if (s === undefined || !/^\d+$/.test(s)) return max;
  const n = Number(s);
  return n <= 0 || n > max ? max : n;
}

const SinceSchema = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, 'since: expected an RFC 3339 timestamp'),
);

/** True when every field of an RFC 3339 time is in range: Date.parse rolls 2026-02-30 over to March 2. */
function isRealTime(s: string): boolean {
  const [y, mo, d, h, mi, se] = s.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(s);
  if (offset !== null && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return false;
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  return y >= 1 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === se;
}

/** `since` (ours): only entries strictly newer than this time. Undefined when absent. */
export function parseSince(raw: unknown): number | undefined {
  const s = single(raw, 'since');
  if (s === undefined || s === '') return undefined;
  const r = v.safeParse(SinceSchema, s);
  const ms = r.success && isRealTime(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(ms)) throw new HttpError(400, `since: expected an RFC 3339 timestamp, got ${JSON.stringify(s)}`, 'bad_query');
  return ms;
}

/** The original's history cap: max(200, 30 days / interval + 5). */
export function historyCap(intervalMinutes: number): number {
  return Math.max(200, Math.floor((30 * 24 * 60) / intervalMinutes) + 5);
}
