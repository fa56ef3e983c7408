/**
 * Names and discovery of history segment files in the data directory:
 * `status-2026-11-28.jsonl` (open or not yet compacted day, JSON Lines) and
 * `status-2026-11-28.cols.gz` (compacted closed day); same for `connectivity-`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dayKey, parseDayKey } from '../history/time.js';

export type SegmentKind = 'status' | 'connectivity';
export type SegmentForm = 'jsonl' | 'compact';

const EXT: Record<SegmentForm, string> = { jsonl: '.jsonl', compact: '.cols.gz' };
const PATTERN = /^(status|connectivity)-(\d{4}-\d{2}-\d{2})(\.jsonl|\.cols\.gz)$/;

export function segmentName(kind: SegmentKind, dayMs: number, form: SegmentForm): string {
  return `${kind}-${dayKey(dayMs)}${EXT[form]}`;
}

/** The files of one day; either or both may exist (both: a compaction finished but the JSONL was not yet removed). */
export interface DaySegments {
  day: number;
  jsonl?: string;
  compact?: string;
}

export interface SegmentListing {
  status: DaySegments[];
  connectivity: DaySegments[];
  /** Leftovers of interrupted writes (`*.tmp`), safe to delete (unlink removes a link, not its target). */
  temps: string[];
  /** Segment names that are not regular files (a symlink, a directory): never read or written, to be moved aside. */
  hostile: string[];
}

/** Lists segment files in `dir`, each kind sorted by day; file types as readdir sees them (links not followed). */
export async function listSegments(dir: string): Promise<SegmentListing> {
  const byKind: Record<SegmentKind, Map<number, DaySegments>> = { status: new Map(), connectivity: new Map() };
  const temps: string[] = [];
  const hostile: string[] = [];
  for (const dirent of await readdir(dir, { withFileTypes: true })) {
    const name = dirent.name;
    if (name.endsWith('.tmp') && /^(status|connectivity)-/.test(name)) {
      temps.push(join(dir, name));
      continue;
    }
    const m = PATTERN.exec(name);
    if (m === null) continue;
    const day = parseDayKey(m[2]!);
    if (Number.isNaN(day)) continue;
    if (!dirent.isFile()) {
      hostile.push(join(dir, name));
      continue;
    }
    const kind = m[1] as SegmentKind;
    const entry = byKind[kind].get(day) ?? { day };
    if (m[3] === '.jsonl') entry.jsonl = join(dir, name);
    else entry.compact = join(dir, name);
    byKind[kind].set(day, entry);
  }
  const sorted = (m: Map<number, DaySegments>): DaySegments[] => [...m.values()].sort((a, b) => a.day - b.day);
  return { status: sorted(byKind.status), connectivity: sorted(byKind.connectivity), temps, hostile };
}
