/**
 * The compact form of a history page between nodes of ours (feature `cols`):
 * the page's status samples as the columns of a compact segment (times,
 * layout per sample, one result code per check, dictionaries in the header;
 * src/history/columnar.ts), everything else of the JSON answer (node,
 * targets, connectivity, more, since, range) as JSON in the header, all in
 * the gzipped container of src/storage/columnar.ts. A page of 500 units is
 * about 1/50 of its gzipped JSON on the wire, and decodes without building
 * an object per check.
 *
 * Decoding applies the limits of a JSON answer (decode.ts): bytes inflated,
 * entries, checks per sample, string lengths, times (finite, in order, not
 * ahead of this node's clock), and the JSON part goes through the same
 * valibot schema. It runs in the peer-decode thread.
 */
import * as v from 'valibot';
import { checkStatus } from '../history/columnar.js';
import type { InternedResult, SampleColumns } from '../history/sample-log.js';
import { decodeContainer, encodeContainer } from '../storage/columnar.js';
import { createShapeScanner, shapeLimits } from './json-shape.js';
import { boundText, MAX_ERROR_CHARS, MAX_NAME_CHARS, type PeerLimits } from './limits.js';
import { describeIssue, nodeHistorySchema, type NodeHistoryPayload } from './schema.js';

/** Announced in `node.jobmonitor.features` by a node that answers `format=cols` on /api/node/history. */
export const COMPACT_FEATURE = 'cols';
/** The content type of a compact page (never compressed again: it is gzip inside). */
export const COMPACT_PAGE_TYPE = 'application/vnd.jobmonitor.history-page';
const KIND = 'history-page';
/** Inflated bytes a compact page may hold: the client's bound on a decompressed answer. */
export const MAX_COMPACT_PAGE_BYTES = 64 * 1024 * 1024;
/** Checks asked per compact page (2 bytes each inflated): 4 MiB of codes, about two weeks of 500 units at 5 minutes. */
export const COMPACT_PAGE_CHECKS = 2_000_000;

/** True when an answer's content type is a compact page's, whatever its parameters. */
export function isCompactPage(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === COMPACT_PAGE_TYPE;
}

/** A history answer as decoded: the JSON form's lists, or (compact form) the status samples as columns and `history` empty. */
export interface HistoryPage extends NodeHistoryPayload {
  columns?: SampleColumns;
}

/** The compact page of `fields` (the JSON answer without `history`) and the samples `cols`. */
export function encodeHistoryPage(fields: Record<string, unknown>, cols: SampleColumns): Buffer {
  return encodeContainer(
    { kind: KIND, version: 1, fields, ids: cols.ids, pairs: cols.pairs, layouts: cols.layouts, results: cols.results },
    { times: cols.times, layoutOf: cols.layoutOf, codes: cols.codes },
  );
}

export type DecodedPage = { ok: true; value: HistoryPage } | { ok: false; error: string };

/** The first problem with the samples' times and widths, or undefined. */
function sampleProblem(cols: SampleColumns, limits: PeerLimits, nowMs: number): string | undefined {
  const n = cols.times.length;
  if (n > limits.maxEntries) return `history: ${n} entries, more than the ${limits.maxEntries} allowed (peer_max_entries)`;
  const widest = cols.layouts.reduce((m, l) => Math.max(m, l.length), 0);
  if (widest > limits.maxTargets) return `history.checks: ${widest} checks in a sample, more than the ${limits.maxTargets} allowed (peer_max_targets)`;
  const limit = nowMs + limits.clockSkewMs;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = cols.times[i]!;
    // Within Date's range (an ISO string can be made of it), oldest first, none from the future.
    if (!(Math.abs(t) <= 8.64e15)) return `history[${i}].timestamp: not a time`;
    if (t < previous) return `history[${i}].timestamp: older than the entry before it (entries must be oldest first)`;
    if (t > limit) {
      return `history[${i}].timestamp: ${new Date(t).toISOString()} is ahead of this node's clock by more than ${limits.clockSkewMs / 60_000} min (the clock skew tolerated); not stored`;
    }
    previous = t;
  }
  return undefined;
}

/** The peer's strings cut as a JSON answer's are (schema.ts). */
function boundStrings(cols: SampleColumns): SampleColumns {
  const name = (s: string | undefined) => (s === undefined ? undefined : boundText(s, MAX_NAME_CHARS));
  const results = cols.results.map((r): InternedResult => {
    const out: InternedResult = { ok: r.ok };
    for (const key of ['state', 'sub_state', 'result'] as const) if (r[key] !== undefined) out[key] = name(r[key])!;
    if (r.error !== undefined) out.error = boundText(r.error, MAX_ERROR_CHARS);
    return out;
  });
  return {
    times: cols.times,
    layoutOf: cols.layoutOf,
    codes: cols.codes,
    ids: cols.ids.map((s) => boundText(s, MAX_NAME_CHARS)),
    pairs: cols.pairs.map(([id, n]) => [id, boundText(n, MAX_NAME_CHARS)]),
    layouts: cols.layouts,
    results,
  };
}

/**
 * Decodes a compact page within `limits`; errors name what and where, as a
 * JSON answer's do (`history[3].timestamp: …`). Never throws.
 */
export function decodeHistoryPage(body: Uint8Array, limits: PeerLimits, nowMs: number, maxBytes = MAX_COMPACT_PAGE_BYTES): DecodedPage {
  const c = decodeContainer(Buffer.from(body.buffer, body.byteOffset, body.byteLength), KIND, maxBytes);
  if (!c.ok) return { ok: false, error: `compact page: ${c.error}` };
  const checked = checkStatus(c.value);
  if (!checked.ok) return { ok: false, error: `compact page: ${checked.error}` };
  const problem = sampleProblem(checked.value, limits, nowMs);
  if (problem !== undefined) return { ok: false, error: problem };
  const fields = c.value.header['fields'];
  // The JSON part is held to a JSON answer's nesting and list bounds too.
  const shape = createShapeScanner(shapeLimits(limits)).push(Buffer.from(JSON.stringify(fields ?? null), 'utf8'));
  if (shape !== undefined) return { ok: false, error: shape };
  const r = v.safeParse(nodeHistorySchema, { ...(typeof fields === 'object' && fields !== null ? fields : {}), history: [] }, { abortEarly: true });
  if (!r.success) return { ok: false, error: describeIssue(r.issues[0]) };
  const { more, ...rest } = r.output;
  return { ok: true, value: { ...rest, ...(more === true ? { more } : {}), columns: boundStrings(checked.value) } };
}
