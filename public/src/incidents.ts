/**
 * The incident list, computed from the current snapshot like the
 * original's: peer sync errors (and our stale marks), failed DNS probes,
 * and every unit whose latest check is not ok, each with since when.
 * Units whose failure has a cause outside them (no systemd, bus down, sudo
 * refusing: the server's own rule, src/incidents/host-cause.ts) are one
 * `host` item listing them, not one item each.
 */
import { findHostCauses, HOST_CAUSE_NAMES } from '../../src/incidents/host-cause.js';
import { parseTime, stateTone } from './format.js';
import { checkProblemSince, connectivityProblemSince } from './since.js';
import type { PeerSnapshot } from './types.js';

export interface Incident {
  /** Unique within the list, stable across refreshes. */
  key: string;
  kind: 'sync' | 'connectivity' | 'unit' | 'host';
  severity: 'error' | 'warn';
  nodeId: string;
  title: string;
  detail: string;
  /** When the problem began (ms), or null when the data cannot tell. */
  since: number | null;
  /** For sync problems: the last successful sync (ms), when known. */
  lastGood: number | null;
  /** Host items: the units the cause hides. */
  units?: Array<{ id: string; name: string }>;
  /** Unit items: the unit's id, so the entry can lead to its row. */
  unitId?: string;
}

/** The display name of a node: its name, else its id. */
export function nodeName(snapshot: PeerSnapshot): string {
  return snapshot.node?.name || snapshot.node?.id || 'Unknown node';
}

/** Incidents of all nodes, in node order: sync, connectivity, then units. */
export function computeIncidents(nodes: readonly PeerSnapshot[]): Incident[] {
  const out: Incident[] = [];
  for (const node of nodes) {
    const name = nodeName(node);
    const nodeId = node.node?.id ?? '';
    const prefix = nodeId;
    if (node.error || node.stale) {
      const failures = node.consecutive_failures;
      const detail = [
        node.error ?? 'no fresh data',
        typeof failures === 'number' && failures > 1 ? `${failures} failed attempts in a row` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      out.push({
        key: `${prefix}:sync`,
        kind: 'sync',
        severity: 'error',
        nodeId,
        title: node.stale && !node.error ? `${name} - stale data` : `${name} - sync error`,
        detail,
        since: null,
        lastGood: parseTime(node.last_success_at),
      });
    }
    const probe = node.connectivity;
    if (probe && !probe.ok) {
      out.push({
        key: `${prefix}:connectivity`,
        kind: 'connectivity',
        severity: 'error',
        nodeId,
        title: `${name} - connectivity`,
        detail: probe.error || `No response from ${probe.target || 'probe target'}`,
        since: connectivityProblemSince(node.connectivity_history, node.connectivity_timeline),
        lastGood: null,
      });
    }
    const timelines = new Map((node.service_timelines ?? []).map((t) => [t.service_id, t.timeline]));
    const checks = node.status?.checks ?? [];
    const hidden = new Set<string>();
    for (const f of findHostCauses(checks)) {
      for (const u of f.units) hidden.add(u.id);
      out.push({
        key: `${prefix}:host:${f.cause}`,
        kind: 'host',
        severity: 'error',
        nodeId,
        title: `${name} - ${HOST_CAUSE_NAMES[f.cause]}`,
        detail: `${f.units.length} unit${f.units.length === 1 ? '' : 's'} unchecked - ${f.error}${node.stale ? ' (stale data)' : ''}`,
        since: null,
        lastGood: null,
        units: f.units,
      });
    }
    for (const check of checks) {
      if (check.ok || hidden.has(check.id)) continue;
      const state = check.state || 'no state';
      out.push({
        key: `${prefix}:unit:${check.id}`,
        kind: 'unit',
        severity: stateTone(check.state) === 'warn' ? 'warn' : 'error',
        nodeId,
        title: `${name} / ${check.name || check.id || '(unnamed)'}`,
        // The original puts the state itself in `error` ("failed"); say it once.
        detail: `${check.error && check.error !== check.state ? `${state} - ${check.error}` : state}${node.stale ? ' (stale data)' : ''}`,
        since: checkProblemSince(check.since, timelines.get(check.id)),
        lastGood: null,
        unitId: check.id,
      });
    }
  }
  return withUniqueKeys(out);
}

/** Duplicate unit ids in one sample must not break keyed rendering. */
function withUniqueKeys(list: Incident[]): Incident[] {
  const seen = new Map<string, number>();
  for (const item of list) {
    const n = seen.get(item.key) ?? 0;
    seen.set(item.key, n + 1);
    if (n > 0) item.key = `${item.key}#${n}`;
  }
  return list;
}
