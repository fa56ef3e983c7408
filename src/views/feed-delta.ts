/**
 * Deltas of a node's rows (`/api/cluster/node/:id?since=<tag>`): what changed
 * in each unit's row since an earlier answer, field by field. The server keeps
 * of each earlier answer only an index (a hash per field of every row, a
 * hash of each row's field names, a hash of the unit ids in order), not its
 * bytes; the delta holds the new values of the fields whose hash moved. A
 * field that is an object (check, uptime) is compared key by key, so one new
 * sample sends a unit's new counts and latest check, not its whole row; a
 * field that is a list of entries (details) is sent as `<field>@`: per element
 * its place in the list held, or the element when the client has not got it.
 *
 * Pure: no Node or DOM imports (the dashboard applies deltas with
 * applyFeedDelta, the same code the tests run).
 */
import type { FeedChange, FeedNodeDelta, FeedNodeDetail, FeedUnit } from './cluster-feed-schema.js';

export type { FeedChange, FeedNodeDelta } from './cluster-feed-schema.js';

/** An earlier rows answer as the server remembers it. */
export interface RowsIndex {
  /** Hash of the unit ids in order: a delta is made only while they are the same. */
  readonly ids: number;
  /** Per unit: hash of its paths (its field names and, for object fields, their keys). */
  readonly shapes: Float64Array;
  /** Per unit: where its path hashes start in `values` (one more entry at the end). */
  readonly offsets: Uint32Array;
  /** Per path of every unit, in order: hash of the path's value as JSON. */
  readonly values: Float64Array;
  /** Per path (its place in `values`) whose value is a non-empty list of entries (details): a hash per element. */
  readonly elements: ReadonlyMap<number, Float64Array>;
}

/** 53-bit string hash (cyrb53): a change goes unseen with odds of about 1 in 2^53. */
function hash(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A unit's paths as [field, key or undefined, value], in the order JSON.stringify writes them. */
function pathsOf(u: FeedUnit): Array<[string, string | undefined, unknown]> {
  const out: Array<[string, string | undefined, unknown]> = [];
  for (const [k, v] of Object.entries(u)) {
    if (v === undefined) continue;
    if (isRecord(v)) {
      for (const [s, w] of Object.entries(v)) if (w !== undefined) out.push([k, s, w]);
    } else out.push([k, undefined, v]);
  }
  return out;
}

/** A unit's field names in order, with the keys of its object fields (an empty object too). */
function shapeOf(u: FeedUnit): string {
  let names = '';
  for (const [k, v] of Object.entries(u)) {
    if (v === undefined) continue;
    names += isRecord(v) ? `${k}{${Object.entries(v).filter(([, w]) => w !== undefined).map(([s]) => s).join('\u0001')}}\u0000` : `${k}\u0000`;
  }
  return names;
}

/** A list whose entries are lists or strings (a unit's details): sent by entry as `<field>@`. */
const isListOfEntries = (v: unknown): v is Array<unknown[] | string> => Array.isArray(v) && v.length > 0 && v.every((e) => Array.isArray(e) || typeof e === 'string');

/**
 * A list of entries, lists or strings (a unit's bucket details, which shift as the window moves)
 * as the client can rebuild it from the one it holds: per element, its place
 * in the held list (a number) or the element itself (a list or string). Undefined when
 * the held list is not known by element.
 */
function listScript(v: unknown, now: Float64Array | undefined, old: Float64Array | undefined): Array<number | unknown[] | string> | undefined {
  if (now === undefined || old === undefined || !isListOfEntries(v)) return undefined;
  const at = new Map<number, number>();
  old.forEach((h, j) => {
    if (!at.has(h)) at.set(h, j);
  });
  return v.map((e, j) => at.get(now[j]!) ?? e);
}

/** The index of a rows answer's units. */
export function indexRows(units: readonly FeedUnit[]): RowsIndex {
  const shapes = new Float64Array(units.length);
  const offsets = new Uint32Array(units.length + 1);
  const values: number[] = [];
  const elements = new Map<number, Float64Array>();
  units.forEach((u, i) => {
    for (const [, s, v] of pathsOf(u)) {
      if (s === undefined && isListOfEntries(v)) elements.set(values.length, Float64Array.from(v, (e) => hash(JSON.stringify(e))));
      values.push(hash(JSON.stringify(v)));
    }
    shapes[i] = hash(shapeOf(u));
    offsets[i + 1] = values.length;
  });
  return { ids: hash(units.map((u) => u.id).join('\u0000')), shapes, offsets, values: Float64Array.from(values), elements };
}

/** A path's name in the maps of unitChanges: the field, and the key of an object field. */
const pathName = (k: string, s: string | undefined): string => (s === undefined ? k : `${k}\u0000${s}`);

/**
 * Of the paths in `names`, those whose value is the same in every unit that
 * has them, with that value (the sample's time, the checks counted when
 * they move for every unit): sent once per node as the
 * delta's `every`. List fields are left out (they go as `<field>@`).
 */
function sharedValues(units: readonly FeedUnit[], names: ReadonlySet<string>): Map<string, [string, string | undefined, unknown]> {
  const seen = new Map<string, { json: string; path: [string, string | undefined, unknown] } | null>();
  for (const u of units) {
    for (const path of pathsOf(u)) {
      const name = pathName(path[0], path[1]);
      if (!names.has(name)) continue;
      const was = seen.get(name);
      if (was === null) continue;
      if (Array.isArray(path[2])) {
        seen.set(name, null);
        continue;
      }
      const json = JSON.stringify(path[2]);
      if (was === undefined) seen.set(name, { json, path });
      else if (was.json !== json) seen.set(name, null);
    }
  }
  const out = new Map<string, [string, string | undefined, unknown]>();
  for (const [name, v] of seen) if (v !== null) out.set(name, v.path);
  return out;
}

/** The changes of a delta: per unit that moved, and the values every unit that has them shares. */
export interface UnitChanges {
  changes: FeedChange[];
  /** Fields (object fields with only their keys) set in every unit that has them; none: undefined. */
  every?: Record<string, unknown>;
}

/** Adds the path [k, s] with value `v` to a change's fields (an object field key by key). */
function putPath(fields: Record<string, unknown>, k: string, s: string | undefined, v: unknown): void {
  if (s === undefined) fields[k] = v;
  else ((fields[k] ??= {}) as Record<string, unknown>)[s] = v;
}

/** Per unit of the same shape, its paths whose value moved, as [place in its paths, field, key, value]. */
function movedPaths(u: FeedUnit, i: number, now: RowsIndex, old: RowsIndex): Array<[number, string, string | undefined, unknown]> {
  const [a, b] = [now.offsets[i]!, old.offsets[i]!];
  const out: Array<[number, string, string | undefined, unknown]> = [];
  pathsOf(u).forEach(([k, s, v], p) => {
    if (now.values[a + p] !== old.values[b + p]) out.push([a + p, k, s, v]);
  });
  return out;
}

/**
 * The changes from the rows `old` indexes to `units` (whose index is `now`):
 * per unit that moved, [index, the fields that changed] (an object field
 * with only its keys that changed), or [index, the whole row, 1] when its
 * fields are not the same ones; a value that moved and that every unit
 * having it now shares goes once in `every` instead. Undefined when the
 * units are not the same ones in the same order (the client then needs the
 * whole answer).
 */
export function unitChanges(units: readonly FeedUnit[], now: RowsIndex, old: RowsIndex): UnitChanges | undefined {
  if (now.ids !== old.ids || now.shapes.length !== old.shapes.length) return undefined;
  const moved = units.map((u, i) => (now.shapes[i] !== old.shapes[i] ? null : movedPaths(u, i, now, old)));
  const names = new Set<string>();
  for (const m of moved) for (const [, k, s] of m ?? []) names.add(pathName(k, s));
  const shared = sharedValues(units, names);
  const changes: FeedChange[] = [];
  moved.forEach((m, i) => {
    if (m === null) {
      changes.push([i, units[i]!, 1]);
      return;
    }
    let fields: Record<string, unknown> | undefined;
    for (const [at, k, s, v] of m) {
      if (shared.has(pathName(k, s))) continue;
      fields ??= {};
      const script = s === undefined ? listScript(v, now.elements.get(at), old.elements.get(at - now.offsets[i]! + old.offsets[i]!)) : undefined;
      if (script !== undefined) fields[`${k}@`] = script;
      else putPath(fields, k, s, v);
    }
    if (fields !== undefined) changes.push([i, fields]);
  });
  if (shared.size === 0) return { changes };
  const every: Record<string, unknown> = {};
  for (const [k, s, v] of shared.values()) putPath(every, k, s, v);
  return { changes, every };
}

/**
 * `every` of a delta set in a unit's row (a copy when something is set):
 * a plain field where the row has it, an object field's keys where the
 * row's object has them.
 */
function setShared(row: FeedUnit, every: Readonly<Record<string, unknown>>): FeedUnit {
  let next: Record<string, unknown> | undefined;
  const r = row as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(every)) {
    const was = r[k];
    if (was === undefined) continue;
    if (isRecord(v)) {
      if (!isRecord(was)) continue;
      const keys = Object.keys(v).filter((s) => was[s] !== undefined);
      if (keys.length === 0) continue;
      next ??= { ...r };
      const obj = { ...was };
      for (const s of keys) obj[s] = v[s];
      next[k] = obj;
    } else if (!isRecord(was)) {
      next ??= { ...r };
      next[k] = v;
    }
  }
  return (next ?? row) as unknown as FeedUnit;
}

/** A list rebuilt from `script` (listScript) and the list held; undefined when they do not fit. */
function rebuildList(held: unknown, script: unknown): unknown[] | undefined {
  if (!Array.isArray(held) || !Array.isArray(script)) return undefined;
  const out: unknown[] = [];
  for (const e of script) {
    if (Array.isArray(e) || typeof e === 'string') out.push(e);
    else if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e < held.length) out.push(held[e]);
    else return undefined;
  }
  return out;
}

/**
 * The rows `held` (the answer tagged `delta.since`) brought up to date by
 * `delta`; null when the delta does not fit them (another base, a unit index
 * out of range): the caller then asks for the whole answer.
 */
export function applyFeedDelta(held: FeedNodeDetail, delta: FeedNodeDelta): FeedNodeDetail | null {
  const every = delta.every;
  const units = every === undefined ? held.units.slice() : held.units.map((u) => setShared(u, every));
  for (const [i, fields, whole] of delta.changes) {
    const row = units[i];
    if (row === undefined) return null;
    if (whole === 1) {
      units[i] = fields as FeedUnit;
      continue;
    }
    const next: Record<string, unknown> = { ...row };
    for (const [k, v] of Object.entries(fields)) {
      if (k.endsWith('@')) {
        const list = rebuildList(next[k.slice(0, -1)], v);
        if (list === undefined) return null;
        next[k.slice(0, -1)] = list;
        continue;
      }
      const was = next[k];
      next[k] = isRecord(v) && isRecord(was) ? { ...was, ...v } : v;
    }
    units[i] = next as unknown as FeedUnit;
  }
  const { node, generated_at, range, range_start, range_end, buckets } = delta;
  return { node, generated_at, range, range_start, range_end, ...(buckets !== undefined ? { buckets } : {}), units };
}
