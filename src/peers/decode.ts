/**
 * Turns the bytes of a peer's answer (or of a peer.json on disk) into a
 * validated value within PeerLimits, or a clear error naming what and where.
 * Pure and synchronous: it runs inside the peer-decode pool thread
 * (workers/peer-decode.ts), so that a nesting bomb, a million entries or a
 * 60,000-target payload costs that thread, never the event loop that answers
 * /healthz and /api/cluster.
 */
import * as v from 'valibot';
import { decodeHistoryPage, isCompactPage, type HistoryPage } from './compact-page.js';

export { isCompactPage } from './compact-page.js';
import { createShapeScanner, shapeLimits } from './json-shape.js';

export { shapeLimits } from './json-shape.js';
import { boundText, type PeerLimits } from './limits.js';
import {
  connectivitySchema, describeIssue, nodeHistorySchema, nodeInfoSchema, nodeStatusSchema, statusEntrySchema, targetSchema,
  type NodeHistoryPayload, type NodeStatusPayload, type PeerNodeInfo,
} from './schema.js';
import type { ConnectivityStatus, StatusEntry, Target } from '../types.js';

/** What a peer.json holds: what the last good refresh said besides history. */
export interface PeerMetaPayload {
  node?: PeerNodeInfo;
  status?: StatusEntry;
  connectivity?: ConnectivityStatus;
  targets?: Target[];
  last_success_at?: string;
}

const metaSchema = v.object({
  node: v.optional(nodeInfoSchema),
  status: v.optional(statusEntrySchema),
  connectivity: v.optional(connectivitySchema),
  targets: v.optional(v.array(targetSchema)),
  last_success_at: v.optional(v.pipe(v.string(), v.maxLength(64), v.check((s) => Number.isFinite(Date.parse(s)), 'expected an RFC 3339 time'))),
});

export type DecodeKind = 'status' | 'history' | 'meta';

export interface DecodeJob {
  kind: DecodeKind;
  /** The body, decompressed. */
  body: Uint8Array;
  /** The answer's content type, named in the error when the body is not JSON. */
  contentType?: string;
  limits: PeerLimits;
  /** This node's clock (epoch ms): times beyond it plus the skew tolerated are rejected. */
  nowMs: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export type DecodedPayload =
  | { ok: true; kind: 'status'; value: NodeStatusPayload }
  | { ok: true; kind: 'history'; value: HistoryPage }
  | { ok: true; kind: 'meta'; value: PeerMetaPayload }
  | { ok: false; error: string };


function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Counts checked before validation, so an oversized list is refused at the price of reading its length. */
function countProblem(raw: unknown, limits: PeerLimits): string | undefined {
  if (!isObject(raw)) return undefined;
  const tooMany = (path: string, n: number, max: number, what: string, key: string) =>
    `${path}: ${n} ${what}, more than the ${max} allowed (${key})`;
  const targets = raw['targets'];
  if (Array.isArray(targets) && targets.length > limits.maxTargets) return tooMany('targets', targets.length, limits.maxTargets, 'targets', 'peer_max_targets');
  const checksOf = (entry: unknown, path: string) => {
    const checks = isObject(entry) ? entry['checks'] : undefined;
    return Array.isArray(checks) && checks.length > limits.maxTargets
      ? tooMany(`${path}.checks`, checks.length, limits.maxTargets, 'checks', 'peer_max_targets')
      : undefined;
  };
  const status = checksOf(raw['status'], 'status');
  if (status !== undefined) return status;
  for (const key of ['history', 'connectivity'] as const) {
    const list = raw[key];
    if (!Array.isArray(list)) continue;
    if (list.length > limits.maxEntries) return tooMany(key, list.length, limits.maxEntries, 'entries', 'peer_max_entries');
    if (key !== 'history') continue;
    for (let i = 0; i < list.length; i++) {
      const p = checksOf(list[i], `history[${i}]`);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

/** The first time ahead of this node's clock by more than the skew tolerated, as an error; undefined when none. */
export function futureProblem(value: { status?: StatusEntry; connectivity?: ConnectivityStatus | ConnectivityStatus[]; history?: StatusEntry[] }, limits: PeerLimits, nowMs: number): string | undefined {
  const limit = nowMs + limits.clockSkewMs;
  const ahead = (path: string, t: string) =>
    Date.parse(t) > limit
      ? `${path}: ${boundText(t, 64)} is ahead of this node's clock by more than ${limits.clockSkewMs / 60_000} min (the clock skew tolerated); not stored`
      : undefined;
  if (value.status !== undefined) {
    const p = ahead('status.timestamp', value.status.timestamp);
    if (p !== undefined) return p;
  }
  const history = value.history ?? [];
  for (let i = 0; i < history.length; i++) {
    const p = ahead(`history[${i}].timestamp`, history[i]!.timestamp);
    if (p !== undefined) return p;
  }
  const conn = value.connectivity;
  if (Array.isArray(conn)) {
    for (let i = 0; i < conn.length; i++) {
      const p = ahead(`connectivity[${i}].checked_at`, conn[i]!.checked_at);
      if (p !== undefined) return p;
    }
  } else if (conn !== undefined) return ahead('connectivity.checked_at', conn.checked_at);
  return undefined;
}

function parseJson(job: DecodeJob): Decoded<unknown> {
  if (job.body.length === 0) return { ok: false, error: 'empty response' };
  // Already done on the bytes as they arrived (client.ts); again here for bodies read from disk.
  const shape = createShapeScanner(shapeLimits(job.limits)).push(job.body);
  if (shape !== undefined) return { ok: false, error: shape };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.length).toString('utf8')) as unknown };
  } catch (err) {
    const ct = job.contentType ?? '';
    const type = ct === '' || /json/i.test(ct) ? '' : `, content-type ${boundText(ct.split(';')[0] ?? '', 64)}`;
    return { ok: false, error: `invalid JSON (${boundText((err as Error).message, 120)}${type})` };
  }
}

/** A compact history page: its own bounds (compact-page.ts), then those of the JSON part as a JSON answer's. */
function decodeCompact(job: DecodeJob): DecodedPayload {
  const page = decodeHistoryPage(job.body, job.limits, job.nowMs);
  if (!page.ok) return page;
  const conn = page.value.connectivity;
  if (conn.length > job.limits.maxEntries) return { ok: false, error: `connectivity: ${conn.length} entries, more than the ${job.limits.maxEntries} allowed (peer_max_entries)` };
  const future = futureProblem({ connectivity: conn }, job.limits, job.nowMs);
  return future !== undefined ? { ok: false, error: future } : { ok: true, kind: 'history', value: page.value };
}

/** Decodes one body: JSON within the depth bound, counts within limits, the kind's schema, no time from the future. */
export function decodePeerBody(job: DecodeJob): DecodedPayload {
  if (job.kind === 'history' && isCompactPage(job.contentType)) return decodeCompact(job);
  const parsed = parseJson(job);
  if (!parsed.ok) return parsed;
  const count = countProblem(parsed.value, job.limits);
  if (count !== undefined) return { ok: false, error: count };
  const schema = job.kind === 'status' ? nodeStatusSchema : job.kind === 'history' ? nodeHistorySchema : metaSchema;
  const r = v.safeParse(schema, parsed.value, { abortEarly: true });
  if (!r.success) return { ok: false, error: describeIssue(r.issues[0]) };
  const future = futureProblem(r.output as Parameters<typeof futureProblem>[0], job.limits, job.nowMs);
  if (future !== undefined) return { ok: false, error: future };
  if (job.kind === 'meta') {
    const m = r.output as v.InferOutput<typeof metaSchema>;
    const out: PeerMetaPayload = {};
    for (const key of ['node', 'status', 'connectivity', 'targets', 'last_success_at'] as const) if (m[key] !== undefined) (out as Record<string, unknown>)[key] = m[key];
    return { ok: true, kind: 'meta', value: out };
  }
  if (job.kind === 'status') return { ok: true, kind: 'status', value: r.output as NodeStatusPayload };
  const { more, ...history } = r.output as NodeHistoryPayload;
  return { ok: true, kind: 'history', value: more === true ? { ...history, more } : history };
}
