/**
 * What the columns of a compact segment mean: a closed day's samples as
 * dictionary-encoded columns (the container, its bounds and its gzip are
 * src/storage/columnar.ts). Loads in milliseconds where the same day as JSON
 * Lines takes about a second to parse.
 *
 * The header carries the dictionaries (ids, names, layouts, distinct results
 * or error texts) and the newest sample in full. Columns are little-endian.
 */
import { decodeContainer, encodeContainer, type Container, type Decoded } from '../storage/columnar.js';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import type { ConnectivityColumns } from './connectivity-log.js';
import type { InternedResult, SampleColumns } from './sample-log.js';

export type { Decoded } from '../storage/columnar.js';

/** Encodes a status segment. */
export function encodeStatus(cols: SampleColumns): Buffer {
  return encodeContainer(
    { kind: 'status', version: 1, ids: cols.ids, pairs: cols.pairs, layouts: cols.layouts, results: cols.results, latest: cols.latest ?? null },
    { times: cols.times, layoutOf: cols.layoutOf, codes: cols.codes },
  );
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function maxOf(a: Uint32Array | Uint16Array | Uint8Array): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** Decodes and checks a status segment (every index in range, lengths consistent). */
export function decodeStatus(file: Buffer): Decoded<SampleColumns> {
  const d = decodeContainer(file, 'status');
  return d.ok ? checkStatus(d.value) : d;
}

/** Checks an unpacked status container: every index in range, lengths consistent. */
export function checkStatus(container: Container): Decoded<SampleColumns> {
  const { header: h, columns } = container;
  const times = columns.get('times');
  const layoutOf = columns.get('layoutOf');
  const codes = columns.get('codes');
  const bad = (why: string): Decoded<SampleColumns> => ({ ok: false, error: `inconsistent status segment: ${why}` });
  if (!(times instanceof Float64Array) || !(layoutOf instanceof Uint32Array) || layoutOf.length !== times.length) return bad('columns');
  if (!(codes instanceof Uint16Array || codes instanceof Uint32Array)) return bad('codes');
  if (!isStringArray(h.ids) || !Array.isArray(h.pairs) || !Array.isArray(h.layouts) || !Array.isArray(h.results)) return bad('tables');
  const ids = h.ids;
  const pairs = h.pairs as Array<[number, string]>;
  const layouts = h.layouts as number[][];
  const results = h.results as InternedResult[];
  if (!pairs.every((p) => Array.isArray(p) && Number.isInteger(p[0]) && p[0] >= 0 && p[0] < ids.length && typeof p[1] === 'string')) return bad('pairs');
  if (!layouts.every((l) => Array.isArray(l) && l.every((p) => Number.isInteger(p) && p >= 0 && p < pairs.length))) return bad('layouts');
  const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
  const goodResult = (r: InternedResult): boolean =>
    typeof r === 'object' && r !== null && typeof r.ok === 'boolean' &&
    optionalString(r.state) && optionalString(r.error) && optionalString(r.sub_state) && optionalString(r.result);
  if (!results.every(goodResult)) return bad('results');
  if (!times.every((t) => Number.isFinite(t))) return bad('times');
  if (maxOf(layoutOf) >= layouts.length) return bad('layout index');
  let width = 0;
  for (let i = 0; i < layoutOf.length; i++) width += layouts[layoutOf[i]!]!.length;
  if (width !== codes.length) return bad('codes length');
  if (maxOf(codes) >= results.length) return bad('result index');
  const cols: SampleColumns = { times, layoutOf, codes, ids, pairs, layouts, results };
  if (typeof h.latest === 'object' && h.latest !== null) cols.latest = h.latest as StatusEntry;
  return { ok: true, value: cols };
}

/** Encodes a connectivity segment. */
export function encodeConnectivity(cols: ConnectivityColumns): Buffer {
  return encodeContainer(
    { kind: 'connectivity', version: 1, targets: cols.targets, errors: cols.errors, latest: cols.latest ?? null },
    { times: cols.times, latency: cols.latency, target: cols.target, error: cols.error, ok: cols.ok },
  );
}

/** Decodes and checks a connectivity segment. */
export function decodeConnectivity(file: Buffer): Decoded<ConnectivityColumns> {
  const d = decodeContainer(file, 'connectivity');
  return d.ok ? checkConnectivity(d.value) : d;
}

/** Checks an unpacked connectivity container. */
export function checkConnectivity(container: Container): Decoded<ConnectivityColumns> {
  const { header: h, columns } = container;
  const bad = (why: string): Decoded<ConnectivityColumns> => ({ ok: false, error: `inconsistent connectivity segment: ${why}` });
  const times = columns.get('times');
  const latency = columns.get('latency');
  const target = columns.get('target');
  const error = columns.get('error');
  const ok = columns.get('ok');
  if (!(times instanceof Float64Array) || !(latency instanceof Float64Array) || !(target instanceof Uint32Array) || !(error instanceof Uint32Array) || !(ok instanceof Uint8Array)) return bad('columns');
  const n = times.length;
  if (latency.length !== n || target.length !== n || error.length !== n || ok.length !== n) return bad('lengths');
  if (!isStringArray(h.targets) || !isStringArray(h.errors)) return bad('tables');
  if (!times.every((t) => Number.isFinite(t))) return bad('times');
  if (maxOf(target) >= h.targets.length || maxOf(error) > h.errors.length) return bad('indexes');
  const cols: ConnectivityColumns = { times, ok, latency, target, error, targets: h.targets, errors: h.errors };
  if (typeof h.latest === 'object' && h.latest !== null) cols.latest = h.latest as ConnectivityStatus;
  return { ok: true, value: cols };
}
