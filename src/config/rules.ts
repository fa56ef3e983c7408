/**
 * Config rules that span entries (unknown keys, duplicate ids), as plain
 * functions over the raw data: valibot skips a section's own checks as soon
 * as one of its fields is wrong, and every problem is to be reported at once.
 */
import { defaultNodeId, SECTION_KEYS } from './schema.js';
import { isMapping } from './fields.js';

/** Path segments of a finding: keys and list indexes, e.g. ["targets", 2, "service"]. */
export type PathKey = string | number;

/**
 * A problem found in the data, before it is placed in the source.
 * `at` says what to point at: the key itself (unknown keys) or its value. A
 * missing key has no place of its own; the enclosing mapping is shown instead.
 */
export interface Finding {
  path: PathKey[];
  message: string;
  at: 'key' | 'value';
}

/**
 * Every key the schema does not know, at any level, with a suggestion when one
 * is close (`unknown key (did you mean "service"?)`). Only mappings are looked
 * into; a section of the wrong type is the schema's to report.
 */
export function findUnknownKeys(raw: unknown): Finding[] {
  const found: Finding[] = [];
  const check = (value: unknown, known: readonly string[], path: PathKey[]) => {
    if (!isMapping(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const suggestion = closestKey(key, known);
      found.push({
        path: [...path, key],
        message: suggestion === undefined ? 'unknown key' : `unknown key (did you mean "${suggestion}"?)`,
        at: 'key',
      });
    }
  };
  check(raw, SECTION_KEYS.config, []);
  if (!isMapping(raw)) return found;
  check(raw.monitor_dns, SECTION_KEYS.monitor_dns, ['monitor_dns']);
  const lists = [['targets', SECTION_KEYS.target], ['peers', SECTION_KEYS.peer], ['notifications', SECTION_KEYS.notification]] as const;
  for (const [name, known] of lists) {
    const list = raw[name];
    if (Array.isArray(list)) list.forEach((item, i) => check(item, known, [name, i]));
  }
  return found;
}

/**
 * Duplicate target ids, duplicate peer ids, and a peer that has this node's own
 * id. Looks only at ids that are non-empty strings; other id problems are the
 * schema's.
 */
export function findIdConflicts(raw: unknown, hostname: string): Finding[] {
  if (!isMapping(raw)) return [];
  const found: Finding[] = [];
  const ids = (name: 'targets' | 'peers' | 'notifications') => {
    const list = raw[name];
    if (!Array.isArray(list)) return [];
    return list.flatMap((item, i) => {
      const value = isMapping(item) ? item.id : undefined;
      return typeof value === 'string' && value.trim() !== '' ? [{ id: value, i }] : [];
    });
  };
  for (const [name, noun] of [['targets', 'target'], ['peers', 'peer'], ['notifications', 'notification']] as const) {
    const first = new Map<string, number>();
    for (const { id: value, i } of ids(name)) {
      const earlier = first.get(value);
      if (earlier === undefined) first.set(value, i);
      else found.push({ path: [name, i, 'id'], message: `duplicate ${noun} id "${value}" (also used by ${name}[${earlier}])`, at: 'value' });
    }
  }
  const nodeId = typeof raw.node_id === 'string' && raw.node_id.trim() !== '' ? raw.node_id : defaultNodeId(hostname);
  for (const { id: value, i } of ids('peers')) {
    if (value === nodeId) found.push({ path: ['peers', i, 'id'], message: `peer id "${value}" is this node's own node_id`, at: 'value' });
  }
  return found;
}

/** A known key within edit distance 2, or one the unknown key is a prefix of ("timeout" -> "timeout_seconds"). */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best !== undefined) return best.key;
  return lower.length >= 3 ? known.find((candidate) => candidate.startsWith(lower)) : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

