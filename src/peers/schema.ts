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
import type { CheckResult, ConnectivityStatus, NodeFeatures, NodeHistory, NodeInfo, NodeStatus, StatusEntry, Target } from '../types.js';
import { boundText, MAX_ERROR_CHARS, MAX_NAME_CHARS, MAX_TIME_CHARS } from './limits.js';

/** What a node of ours adds to `node` so that peers know what it supports. */
export type PeerFeatures = NodeFeatures;

/** The `node` object of a peer's answer, with our optional additions. */
export type PeerNodeInfo = NodeInfo;

/** A peer's /api/node/status: our NodeStatus, every part optional (an original node may leave any out). */
export type NodeStatusPayload = Partial<Pick<NodeStatus, 'node' | 'status' | 'connectivity' | 'targets'>>;

/**
 * A peer's /api/node/history: the lists always present (null and absent
 * become []), oldest first as sent; `more` (ours): a `since` answer left newer
 * entries out (page forward from its last entry).
 */
export type NodeHistoryPayload = Partial<Pick<NodeHistory, 'node' | 'targets' | 'more'>> &
  Required<Pick<NodeHistory, 'history' | 'connectivity'>>;

/** Drops keys whose value is null or undefined, so optional fields are absent. */
function compact<T>(o: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) if (val !== null && val !== undefined) out[k] = val;
  return out as T;
}

/** A string cut to `max` characters (see boundText): a peer's text never reaches a log, the API or the disk whole. */
function bounded(max: number) {
  return v.nullish(v.pipe(v.string(), v.transform((s) => boundText(s, max))));
}
/** Ids, names, states, services, URLs. */
const str = bounded(MAX_NAME_CHARS);
/** A check's or probe's error text. */
const errorText = bounded(MAX_ERROR_CHARS);
const num = v.nullish(v.pipe(v.number(), v.finite()));
const bool = v.nullish(v.boolean());

/** Any time Date.parse understands; Go's RFC 3339 with nanoseconds included. */
const time = v.pipe(
  v.string(),
  v.maxLength(MAX_TIME_CHARS, `expected an RFC 3339 time (at most ${MAX_TIME_CHARS} characters)`),
  v.check((s) => Number.isFinite(Date.parse(s)), 'expected an RFC 3339 time'),
);

/** A number within [min, max]: an interval of 1e-9 s would make every count and cap derived from it absurd. */
function within(min: number, max: number) {
  return v.nullish(v.pipe(v.number(), v.finite(), v.check((n) => n >= min && n <= max, `must be between ${min} and ${max}`)));
}

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
    error: errorText,
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
  record({ target: str, ok: bool, latency_ms: num, error: errorText, checked_at: time }),
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
      record({ implementation: str, version: str, features: list(v.pipe(v.string(), v.maxLength(MAX_NAME_CHARS))) }),
      v.transform((f): PeerFeatures => ({ implementation: f.implementation ?? '', version: f.version ?? '', features: f.features ?? [] })),
    ),
  ),
  undefined,
);

export const nodeInfoSchema = v.pipe(
  record({
    id: str,
    name: str,
    // Bounded: the history cap asked for and the slots counted are derived from the interval.
    interval_minutes: within(0, 7 * 24 * 60),
    connectivity_interval_seconds: within(0, 7 * 24 * 3600),
    interval_seconds: within(1, 7 * 24 * 3600),
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
  // The received value is quoted in valibot's message: a 10 MB string where a number belongs must not become a 10 MB error.
  const message = boundText(issue.message.replace(/^Invalid type: Expected (.*) but received (.*)$/s, 'expected $1, got $2'), 200);
  return `${boundText(path === '' ? 'body' : path, 200)}: ${message}`;
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
