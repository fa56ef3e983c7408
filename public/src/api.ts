/**
 * Talking to a JobMonitor node: build URLs, fetch `/api/cluster`, and turn
 * every outcome into a value (never a throw) the components can show.
 */
import type { ClusterResponse, PeerSnapshot, RangeName } from './types.js';

/** Why a request produced no data. `aborted` is the caller's own cancel. */
export type FailureKind = 'network' | 'timeout' | 'unauthorized' | 'http' | 'invalid' | 'aborted';

export interface FetchFailure {
  kind: FailureKind;
  /** HTTP status when the server answered, else null. */
  status: number | null;
  message: string;
}

export type FetchResult<T> = { ok: true; value: T } | { ok: false; failure: FetchFailure };

export interface ClusterRequest {
  /** Origin (and optional path prefix) of the node; '' means this page's origin. */
  baseUrl: string;
  range: RangeName;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey: string | null;
  signal: AbortSignal;
  /** Give up after this long (default 20 s): a hung server must not stall polling. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** The ETag of the data already held: a server that still has it answers 304 and nothing is downloaded. */
  etag?: string | null;
  /** The absolute URL to ask, when already resolved (a worker has no page to resolve `baseUrl` against). */
  url?: string;
}

/** A cluster answer: new data with its ETag, or `data: null` when the server said it is unchanged (304). */
export interface ClusterAnswer {
  data: ClusterResponse | null;
  etag: string | null;
}

/** `baseUrl` joined with an absolute API path; '' keeps the path relative to the page. */
export function apiUrl(baseUrl: string, path: string): string {
  return `${baseUrl.trim().replace(/\/+$/, '')}${path}`;
}

/** The URL of the cluster snapshot for a range. */
export function clusterUrl(baseUrl: string, range: RangeName): string {
  return apiUrl(baseUrl, `/api/cluster?range=${encodeURIComponent(range)}`);
}

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The objects of a list (other entries dropped); undefined when it is not a list. */
export function objects(v: unknown): Record<string, unknown>[] | undefined {
  return Array.isArray(v) ? v.filter(isObject) : undefined;
}

/**
 * Shapes a parsed body into a ClusterResponse, tolerating the original's
 * `null` lists and dropping malformed entries, so rendering never meets a
 * surprise type in a container. Returns null when it is not a cluster body.
 */
export function normalizeCluster(body: unknown): ClusterResponse | null {
  if (!isObject(body)) return null;
  const nodes = body['nodes'] === null ? [] : objects(body['nodes']);
  if (!nodes) return null;
  for (const n of nodes) {
    if (!isObject(n['node'])) n['node'] = { id: '', name: '', interval_minutes: 0 };
    n['services'] = objects(n['services']) ?? [];
    for (const key of ['targets', 'connectivity_history', 'connectivity_timeline', 'history']) {
      const list = objects(n[key]);
      if (list) n[key] = list;
      else delete n[key];
    }
    const timelines = objects(n['service_timelines']);
    if (timelines) {
      for (const t of timelines) t['timeline'] = objects(t['timeline']) ?? [];
      n['service_timelines'] = timelines;
    } else delete n['service_timelines'];
    const status = n['status'];
    if (isObject(status)) status['checks'] = objects(status['checks']) ?? [];
    else delete n['status'];
    if (!isObject(n['connectivity'])) delete n['connectivity'];
    if (n['source'] !== 'local') n['source'] = 'peer';
  }
  return {
    generated_at: String(body['generated_at'] ?? ''),
    range: body['range'] === '30d' ? '30d' : '24h',
    range_start: String(body['range_start'] ?? ''),
    range_end: String(body['range_end'] ?? ''),
    nodes: nodes as unknown as PeerSnapshot[],
  };
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (isObject(body)) {
      const err = body['error'];
      if (typeof err === 'string') return err;
      if (isObject(err) && typeof err['message'] === 'string') return err['message'];
    }
  } catch {
    // Not JSON: the status line says enough.
  }
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
}

/** GET the cluster snapshot. Resolves to a value in every case, including abort. */
export async function fetchCluster(req: ClusterRequest): Promise<FetchResult<ClusterResponse>> {
  const r = await fetchClusterIfChanged({ ...req, etag: null });
  if (!r.ok) return r;
  return r.value.data
    ? { ok: true, value: r.value.data }
    : { ok: false, failure: { kind: 'invalid', status: 304, message: 'The server answered 304 to an unconditional request.' } };
}

/**
 * GET the cluster snapshot, conditionally when `req.etag` is set: a poll
 * that finds nothing new costs a 304 and no parsing or rendering.
 */
export function fetchClusterIfChanged(req: ClusterRequest): Promise<FetchResult<ClusterAnswer>> {
  return fetchJsonIfChanged({ ...req, url: req.url ?? clusterUrl(req.baseUrl, req.range) }, normalizeCluster, 'a cluster snapshot');
}

/** A GET of one JSON answer of the API. */
export interface JsonRequest {
  url: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey: string | null;
  signal: AbortSignal;
  /** Give up after this long (default 20 s): a hung server must not stall polling. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** The ETag of the data already held: a server that still has it answers 304 and nothing is downloaded. */
  etag?: string | null;
}

/**
 * GET a JSON answer, conditionally when `req.etag` is set (`data: null` on
 * 304), shaped by `shape` (null: not `what`). Resolves to a value in every
 * case, including abort.
 */
export async function fetchJsonIfChanged<T>(
  req: JsonRequest,
  shape: (body: unknown) => T | null,
  what: string,
): Promise<FetchResult<{ data: T | null; etag: string | null }>> {
  const url = req.url;
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort();
  req.signal.addEventListener('abort', onAbort, { once: true });
  if (req.signal.aborted) controller.abort();
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, req.timeoutMs ?? 20_000);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (req.apiKey) headers['Authorization'] = `Bearer ${req.apiKey}`;
  if (req.etag) headers['If-None-Match'] = req.etag;
  try {
    const res = await (req.fetchImpl ?? fetch)(url, {
      headers,
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    });
    if (res.status === 304 && req.etag) return { ok: true, value: { data: null, etag: req.etag } };
    if (res.status === 401 || res.status === 403) {
      return { ok: false, failure: { kind: 'unauthorized', status: res.status, message: await errorMessage(res) } };
    }
    if (!res.ok) {
      return { ok: false, failure: { kind: 'http', status: res.status, message: await errorMessage(res) } };
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      if (controller.signal.aborted) throw err;
      return { ok: false, failure: { kind: 'invalid', status: res.status, message: 'The response is not JSON.' } };
    }
    const value = shape(body);
    return value
      ? { ok: true, value: { data: value, etag: res.headers.get('ETag') } }
      : { ok: false, failure: { kind: 'invalid', status: res.status, message: `The response is not ${what}.` } };
  } catch (err) {
    if (req.signal.aborted) return { ok: false, failure: { kind: 'aborted', status: null, message: 'Cancelled.' } };
    if (timedOut) return { ok: false, failure: { kind: 'timeout', status: null, message: 'The server did not answer in time.' } };
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, failure: { kind: 'network', status: null, message: `Cannot reach ${url}: ${detail}` } };
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
  }
}
