/**
 * Stored incidents (`/api/incidents`, ours; an original node has no such
 * route): fetched beside the cluster snapshot, used to date the open
 * problems from when their incident began and to list the recently resolved
 * ones. Every failure is a value; the list is an extra the page can do without.
 */
import { apiUrl } from './api.js';
import { nodeName, type Incident } from './incidents.js';
import { parseTime } from './format.js';
import type { PeerSnapshot, RangeName } from './types.js';
import type { Incident as StoredIncident, IncidentList } from '../../src/incidents/types.js';

export type { StoredIncident, IncidentList };

/** `{ok:false, missing:true}`: the node has no incident API (an original JobMonitor, or an older one). */
export type IncidentListResult = { ok: true; value: IncidentList } | { ok: false; missing: boolean };

export interface IncidentListRequest {
  baseUrl: string;
  range: RangeName;
  apiKey: string | null;
  signal: AbortSignal;
  fetchImpl?: typeof fetch;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIncident(v: unknown): v is StoredIncident {
  return isObject(v) && typeof v['id'] === 'string' && typeof v['name'] === 'string' && typeof v['started_at'] === 'string' &&
    (v['kind'] === 'unit' || v['kind'] === 'peer' || v['kind'] === 'probe' || v['kind'] === 'storage' || v['kind'] === 'host') &&
    (v['units'] === undefined || Array.isArray(v['units'])) && Array.isArray(v['states']) && Array.isArray(v['errors']);
}

/** The body as an IncidentList, malformed entries dropped; null when it is not one. */
export function normalizeIncidentList(body: unknown): IncidentList | null {
  if (!isObject(body) || !Array.isArray(body['open']) || !Array.isArray(body['resolved'])) return null;
  const resolved = body['resolved'].filter(isIncident);
  return {
    generated_at: String(body['generated_at'] ?? ''),
    range: body['range'] === '30d' ? '30d' : '24h',
    range_start: String(body['range_start'] ?? ''),
    range_end: String(body['range_end'] ?? ''),
    open: body['open'].filter(isIncident),
    resolved,
    resolved_total: typeof body['resolved_total'] === 'number' ? body['resolved_total'] : resolved.length,
  };
}

/** GET `/api/incidents?range=`; resolves in every case. */
export async function fetchIncidentList(req: IncidentListRequest): Promise<IncidentListResult> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (req.apiKey) headers['Authorization'] = `Bearer ${req.apiKey}`;
  try {
    const res = await (req.fetchImpl ?? fetch)(apiUrl(req.baseUrl, `/api/incidents?range=${encodeURIComponent(req.range)}`), {
      headers,
      cache: 'no-store',
      credentials: 'omit',
      signal: req.signal,
    });
    if (res.status === 404) return { ok: false, missing: true };
    if (!res.ok) return { ok: false, missing: false };
    const value = normalizeIncidentList(await res.json());
    return value ? { ok: true, value } : { ok: false, missing: true };
  } catch {
    return { ok: false, missing: false };
  }
}

/** The key computeIncidents gives the live problem a stored incident is about. */
function liveKey(inc: StoredIncident): string {
  if (inc.kind === 'peer') return `${inc.subject}:sync`;
  if (inc.kind === 'storage') return `${inc.node}:storage`;
  if (inc.kind === 'host') return `${inc.node}:host:${inc.subject}`;
  return inc.kind === 'probe' ? `${inc.node}:connectivity` : `${inc.node}:unit:${inc.subject}`;
}

/** A title like computeIncidents' for a stored incident of this node. */
export function storedTitle(inc: StoredIncident, nodes: readonly PeerSnapshot[]): string {
  const own = nodes.find((n) => n.node?.id === inc.node);
  const node = own ? nodeName(own) : inc.node;
  if (inc.kind === 'peer') return `${inc.name} - sync`;
  if (inc.kind === 'storage') return `${node} - history writes failing`;
  if (inc.kind === 'host') return `${node} - ${inc.name}`;
  return inc.kind === 'probe' ? `${node} - connectivity` : `${node} / ${inc.name}`;
}

/**
 * The live problems with stored knowledge added: a problem with an open
 * incident is dated from the incident's start; an open incident with no live
 * problem (it passed, but not yet often enough to close) is listed as recovering.
 */
export function withStoredIncidents(live: Incident[], stored: IncidentList | null, nodes: readonly PeerSnapshot[]): Incident[] {
  if (!stored) return live;
  const byKey = new Map(live.map((i) => [i.key, i]));
  const out = [...live];
  // A unit under a host problem is listed inside it: its own open incident is not "recovering".
  const hiddenUnits = new Set(live.flatMap((i) => (i.units ?? []).map((u) => `${i.nodeId}:unit:${u.id}`)));
  for (const inc of stored.open) {
    const since = parseTime(inc.started_at);
    const key = liveKey(inc);
    const match = byKey.get(key);
    if (match) {
      if (match.kind !== 'sync') match.since = since;
      continue;
    }
    if (hiddenUnits.has(key)) continue;
    out.push({
      key: `stored:${inc.id}`,
      kind: inc.kind === 'peer' ? 'sync' : inc.kind === 'probe' ? 'connectivity' : inc.kind === 'host' ? 'host' : 'unit',
      // A storage incident has no live problem in the snapshot: it is open until a write succeeds.
      severity: inc.kind === 'storage' ? 'error' : 'warn',
      nodeId: inc.node,
      title: storedTitle(inc, nodes),
      detail: `${inc.kind === 'storage' ? '' : 'recovering - '}${inc.errors[inc.errors.length - 1] ?? inc.states.join(', ')}`,
      since,
      lastGood: null,
      ...(inc.units !== undefined ? { units: inc.units } : {}),
    });
  }
  return out;
}
