/**
 * The part of a compact page's samples (columns, oldest first) a copy does
 * not hold yet: the samples after a time. The dictionaries stay whole: they
 * are small beside the rows, and the log interns them once.
 */
import type { SampleColumns } from '../history/sample-log.js';

/** The samples of `cols` strictly after `afterMs` and at or after `minMs`, as columns sharing `cols`' buffers. */
export function columnsAfter(cols: SampleColumns, afterMs: number, minMs = -Infinity): SampleColumns {
  const n = cols.times.length;
  let first = 0;
  while (first < n && !(cols.times[first]! > afterMs && cols.times[first]! >= minMs)) first++;
  if (first === 0) return cols;
  let codeStart = 0;
  for (let i = 0; i < first; i++) codeStart += cols.layouts[cols.layoutOf[i]!]!.length;
  const { latest: _latest, ...tables } = cols;
  return {
    ...tables,
    times: cols.times.subarray(first),
    layoutOf: cols.layoutOf.subarray(first),
    codes: cols.codes.subarray(codeStart),
  };
}
