/**
 * The dashboard's view in the location hash, so a view can be shared and
 * survives a reload: `#range=30d&q=nginx&problems=1&open=node-a&open=node-b&unit=node-a/web`.
 *
 * - `range`: `24h` or `30d`
 * - `q`: the unit filter text
 * - `problems=1`: only problems
 * - `open`: the expanded nodes, one parameter per node id (absent: the
 *   default, healthy nodes collapsed in a large cluster; `open=` alone: none)
 * - `unit=<node>/<unit>`: the row to bring into view (an incident's link)
 *
 * Unknown parameters are kept, so a page embedding the dashboard may add its own.
 */
import { isRangeName, type RangeName } from './types.js';

export interface PageState {
  range: RangeName | null;
  filter: string;
  problemsOnly: boolean;
  /** null: no choice made, the defaults apply. */
  expanded: ReadonlySet<string> | null;
  /** The unit to reveal, if any. */
  unit: UnitAddress | null;
}

export interface UnitAddress {
  nodeId: string;
  unitId: string;
}

/** Longest filter text taken from an address: a pasted link must not freeze the page. */
const MAX_FILTER = 200;
/** At most this many expanded node ids are read from an address. */
const MAX_OPEN = 500;

/** `node/unit` (node ids cannot contain "/"; unit ids may). */
export function parseUnitAddress(value: string | null): UnitAddress | null {
  if (!value) return null;
  const at = value.indexOf('/');
  if (at <= 0 || at === value.length - 1) return null;
  return { nodeId: value.slice(0, at), unitId: value.slice(at + 1) };
}

/** The state a location hash describes. */
export function readPageState(hash: string): PageState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const range = params.get('range');
  const open = params.getAll('open');
  return {
    range: isRangeName(range) ? range : null,
    filter: (params.get('q') ?? '').slice(0, MAX_FILTER),
    problemsOnly: params.get('problems') === '1',
    expanded: open.length ? new Set(open.slice(0, MAX_OPEN).filter(Boolean)) : null,
    unit: parseUnitAddress(params.get('unit')),
  };
}

/**
 * The hash for `state`, keeping parameters this module does not own.
 * Defaults are left out, so an untouched view has a short address.
 */
export function writePageState(hash: string, state: PageState): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const key of ['range', 'q', 'problems', 'open', 'unit']) params.delete(key);
  if (state.range) params.set('range', state.range);
  if (state.filter) params.set('q', state.filter);
  if (state.problemsOnly) params.set('problems', '1');
  if (state.expanded) {
    if (state.expanded.size === 0) params.set('open', '');
    for (const id of state.expanded) params.append('open', id);
  }
  if (state.unit) params.set('unit', `${state.unit.nodeId}/${state.unit.unitId}`);
  const text = params.toString();
  return text ? `#${text}` : '';
}

/** The hash that reveals a unit, for links (e.g. from an incident entry): `#unit=node/unit` on top of `hash`. */
export function hashWithUnit(hash: string, address: UnitAddress): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.set('unit', `${address.nodeId}/${address.unitId}`);
  return `#${params.toString()}`;
}
