/**
 * Valibot schemas for what a peer sends on /api/node/status and
 * /api/node/history. They accept what the original Go JobMonitor sends: `null`
 * for empty lists, missing fields (Go decodes them as zero values), nanosecond
 * timestamps, and fields we do not know (dropped). A value of the wrong type
 * is rejected, with the path of the first problem.
 *
 * The parsed values have our wire types, with optional fields absent rather
 * than `undefined` or `null`.
 */
import * as v from 'valibot';
import type { CheckResult, ConnectivityStatus, NodeInfo, StatusEntry, Target } from '../types.js';

/** What a node of ours adds to `node` so that peers know what it supports. */
export interface PeerFeatures {
  implementation: string;
  version: string;
  features: string[];
}

/** The `node` object of a peer's answer, with our optional additions. */
export interface PeerNodeInfo extends NodeInfo {
  /** Exact interval (ours); the original only sends whole minutes. */
  interval_seconds?: number;
  jobmonitor?: PeerFeatures;
}

export interface NodeStatusPayload {
  node?: PeerNodeInfo;
  status?: StatusEntry;
  connectivity?: ConnectivityStatus;
  targets?: Target[];
}

export interface NodeHistoryPayload {
  node?: PeerNodeInfo;
  /** Oldest first, as sent. */
  history: StatusEntry[];
  connectivity: ConnectivityStatus[];
  targets?: Target[];
  /** Ours: a `since` answer left newer entries out (page forward from its last entry). */
  more?: boolean;
}

/** Drops keys whose value is null or undefined, so optional fields are absent. */
function compact<T>(o: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) if (val !== null && val !== undefined) out[k] = val;
  return out as T;
}

const str = v.nullish(v.string());
const num = v.nullish(v.pipe(v.number(), v.finite()));
const bool = v.nullish(v.boolean());

/** Any time Date.parse understands; Go's RFC 3339 with nanoseconds included. */
const time = v.pipe(
  v.string(),
  v.check((s) => Number.isFinite(Date.parse(s)), 'expected an RFC 3339 time'),
);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An object (not a list) with these entries; unknown keys are dropped. */
function record<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(v.custom<Record<string, unknown>>(isObject, 'expected an object'), v.object(entries));
}

/** A list that may be sent as null; null and absent become []. */
function list<S extends v.GenericSchema>(item: S) {
  return v.pipe(
    v.nullish(v.array(item)),
    v.transform((a): v.InferOutput<S>[] => a ?? []),
  );
}

export const checkResultSchema = v.pipe(
  record({
    id: str,
    name: str,
    ok: bool,
    state: str,
    error: str,
    sub_state: str,
    result: str,
    since: str,
    restarts: num,
    duration_ms: num,
  }),
  v.transform((c): CheckResult => compact<CheckResult>({ ...c, id: c.id ?? '', name: c.name ?? '', ok: c.ok ?? false })),
);

export const statusEntrySchema = v.pipe(
  record({ timestamp: time, checks: list(checkResultSchema) }),
  v.transform((e): StatusEntry => ({ timestamp: e.timestamp, checks: e.checks ?? [] })),
);

export const connectivitySchema = v.pipe(
  record({ target: str, ok: bool, latency_ms: num, error: str, checked_at: time }),
  v.transform((c): ConnectivityStatus =>
    compact<ConnectivityStatus>({ ...c, target: c.target ?? '', ok: c.ok ?? false, latency_ms: c.latency_ms ?? 0 }),
  ),
);

export const targetSchema = v.pipe(
  record({ id: str, name: str, service: str, url: str, timeout_seconds: num, use_sudo: bool }),
  v.transform((t): Target =>
    compact<Target>({
      ...t,
      id: t.id ?? '',
      name: t.name ?? '',
      service: t.service ?? '',
      timeout_seconds: t.timeout_seconds ?? 0,
      use_sudo: t.use_sudo ?? false,
    }),
  ),
);

/** Our feature announcement; a malformed one is ignored rather than failing the sync. */
const featuresSchema = v.fallback(
  v.nullish(
    v.pipe(
      record({ implementation: str, version: str, features: list(v.string()) }),
      v.transform((f): PeerFeatures => ({ implementation: f.implementation ?? '', version: f.version ?? '', features: f.features ?? [] })),
    ),
  ),
  undefined,
);

export const nodeInfoSchema = v.pipe(
  record({
    id: str,
    name: str,
    interval_minutes: num,
    connectivity_interval_seconds: num,
    interval_seconds: v.nullish(v.pipe(v.number(), v.finite(), v.minValue(0))),
    jobmonitor: featuresSchema,
  }),
  v.transform((n): PeerNodeInfo =>
    compact<PeerNodeInfo>({ ...n, id: n.id ?? '', name: n.name ?? '', interval_minutes: n.interval_minutes ?? 0 }),
  ),
);

export const nodeStatusSchema = v.pipe(
  record({
    node: v.nullish(nodeInfoSchema),
    status: v.nullish(statusEntrySchema),
    connectivity: v.nullish(connectivitySchema),
    targets: v.nullish(v.array(targetSchema)),
  }),
  v.transform((p): NodeStatusPayload => compact<NodeStatusPayload>(p)),
);

export const nodeHistorySchema = v.pipe(
  record({
    node: v.nullish(nodeInfoSchema),
    history: list(statusEntrySchema),
    connectivity: list(connectivitySchema),
    targets: v.nullish(v.array(targetSchema)),
    more: v.nullish(v.boolean()),
  }),
  v.transform((p): NodeHistoryPayload =>
    compact<NodeHistoryPayload>({ ...p, history: p.history ?? [], connectivity: p.connectivity ?? [] }),
  ),
);

export type ParsedPayload<T> = { ok: true; value: T } | { ok: false; error: string };

/** `history[3].checks[0].ok` from a valibot issue path. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The first problem, readable: `history[3].timestamp: expected an RFC 3339 time`. `prefix` is the path of the value validated. */
export function describeIssue(issue: v.BaseIssue<unknown> | undefined, prefix = ''): string {
  if (issue === undefined) return `${prefix === '' ? 'body' : prefix}: invalid`;
  const inner = issuePath(issue);
  const path = prefix === '' ? inner : inner === '' ? prefix : inner.startsWith('[') ? `${prefix}${inner}` : `${prefix}.${inner}`;
  const message = issue.message.replace(/^Invalid type: Expected (.*) but received (.*)$/, 'expected $1, got $2');
  return `${path === '' ? 'body' : path}: ${message}`;
}

/**
 * Validates a parsed JSON body; on failure, `error` is `<path>: <problem>` for
 * the first problem (validation stops there: a bad 40,000-entry history
 * costs no more than a good one).
 */
export function parsePayload<S extends v.GenericSchema>(schema: S, body: unknown): ParsedPayload<v.InferOutput<S>> {
  const r = v.safeParse(schema, body, { abortEarly: true });
  if (r.success) return { ok: true, value: r.output };
  return { ok: false, error: describeIssue(r.issues[0]) };
}

const historyHeadSchema = record({
  node: v.nullish(nodeInfoSchema),
  history: v.nullish(v.array(v.unknown())),
  connectivity: v.nullish(v.array(v.unknown())),
  targets: v.nullish(v.array(targetSchema)),
  more: v.nullish(v.boolean()),
});

/** Entries validated between two turns of the event loop. */
const SLICE = 1000;

async function parseList<S extends v.GenericSchema>(schema: S, items: readonly unknown[], name: string): Promise<ParsedPayload<v.InferOutput<S>[]>> {
  const out: v.InferOutput<S>[] = [];
  for (let i = 0; i < items.length; i++) {
    const r = v.safeParse(schema, items[i], { abortEarly: true });
    if (!r.success) return { ok: false, error: describeIssue(r.issues[0], `${name}[${i}]`) };
    out.push(r.output);
    if (i % SLICE === SLICE - 1) await new Promise<void>((done) => setImmediate(done));
  }
  return { ok: true, value: out };
}

/**
 * As parsePayload(nodeHistorySchema, body), but the lists are checked a slice
 * at a time with the event loop served in between: a first 30-day pull can
 * hold hundreds of thousands of checks, and /api/cluster must not wait on it.
 */
export async function parseHistoryPayload(body: unknown): Promise<ParsedPayload<NodeHistoryPayload>> {
  const head = v.safeParse(historyHeadSchema, body, { abortEarly: true });
  if (!head.success) return { ok: false, error: describeIssue(head.issues[0]) };
  const history = await parseList(statusEntrySchema, head.output.history ?? [], 'history');
  if (!history.ok) return history;
  const connectivity = await parseList(connectivitySchema, head.output.connectivity ?? [], 'connectivity');
  if (!connectivity.ok) return connectivity;
  const { node, targets, more } = head.output;
  return {
    ok: true,
    value: {
      ...(node !== null && node !== undefined ? { node } : {}),
      history: history.value,
      connectivity: connectivity.value,
      ...(targets !== null && targets !== undefined ? { targets } : {}),
      ...(more === true ? { more } : {}),
    },
  };
}
