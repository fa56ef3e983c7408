/**
 * One-time import of the original JobMonitor's history files
 * (`status_history.json`, `connectivity_history.json`: pretty-printed JSON
 * arrays) into daily JSONL segments. The original file is never deleted: it
 * is renamed to `<name>.imported`, or to `<name>.damaged-<time>` when it
 * cannot be read or parsed.
 */
import { readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hostileKind, openDataFile } from '../storage/safe-fs.js';
import { describeError } from '../storage/segment-writer.js';
import { segmentName, type SegmentKind } from '../storage/segments.js';
import { acceptConnectivity, acceptStatusEntry } from './records.js';
import { dayStart, isoSeconds, parseTime } from './time.js';

export const LEGACY_FILES: Readonly<Record<SegmentKind, string>> = {
  status: 'status_history.json',
  connectivity: 'connectivity_history.json',
};

export type ImportOutcome =
  | { kind: 'none' }
  | { kind: 'imported'; file: string; records: number; skipped: number; segments: number; keptAs: string }
  | { kind: 'damaged'; file: string; error: string; keptAs?: string }
  /** Could not write the segments (e.g. disk full): nothing imported, the file left in place for the next start. */
  | { kind: 'failed'; file: string; error: string };

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `20261128T103811Z`, for file names. */
function stamp(nowMs: number): string {
  return isoSeconds(nowMs).replace(/[-:]/g, '');
}

async function moveAside(from: string, to: string): Promise<string> {
  let target = to;
  for (let n = 1; await exists(target); n++) target = `${to}.${n}`;
  await rename(from, target);
  return target;
}

async function writeTemp(tmp: string, lines: string[]): Promise<void> {
  await unlink(tmp).catch(() => undefined);
  const handle = await openDataFile(tmp, 'truncate');
  try {
    await handle.writeFile(lines.join(''));
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Writes every day's segment as a temp file first, so a failure (disk full) leaves no partial import behind. */
async function writeSegments(dir: string, kind: SegmentKind, byDay: Map<number, string[]>): Promise<void> {
  const written: Array<[string, string]> = [];
  try {
    for (const [day, lines] of byDay) {
      const path = join(dir, segmentName(kind, day, 'jsonl'));
      written.push([`${path}.tmp`, path]);
      await writeTemp(`${path}.tmp`, lines);
    }
  } catch (e) {
    await Promise.all(written.map(([tmp]) => unlink(tmp).catch(() => undefined)));
    throw e;
  }
  for (const [tmp, path] of written) await rename(tmp, path);
}

/**
 * Imports `dir/<legacy file>` for `kind` when it exists. The caller makes
 * sure no segment of that kind exists yet. Records that are not valid are
 * skipped and counted.
 */
export async function importLegacy(dir: string, kind: SegmentKind, nowMs: number): Promise<ImportOutcome> {
  const file = join(dir, LEGACY_FILES[kind]);
  if ((await hostileKind(file)) === 'symlink') return damaged(file, 'a symbolic link (never followed)', nowMs);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return damaged(file, `cannot read: ${describeError(e)}`, nowMs);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return damaged(file, `not JSON: ${describeError(e)}`, nowMs);
  }
  if (parsed !== null && !Array.isArray(parsed)) return damaged(file, 'not a JSON array', nowMs);

  const accept = kind === 'status' ? acceptStatusEntry : acceptConnectivity;
  const byDay = new Map<number, string[]>();
  let records = 0;
  let skipped = 0;
  for (const item of parsed ?? []) {
    const rec = accept(item);
    if (typeof rec === 'string') {
      skipped++;
      continue;
    }
    const t = parseTime(kind === 'status' ? (rec as { timestamp: string }).timestamp : (rec as { checked_at: string }).checked_at);
    const day = dayStart(t);
    const lines = byDay.get(day) ?? [];
    lines.push(`${JSON.stringify(rec)}\n`);
    byDay.set(day, lines);
    records++;
  }
  try {
    await writeSegments(dir, kind, byDay);
  } catch (e) {
    return { kind: 'failed', file, error: `cannot write segments: ${describeError(e)}` };
  }
  const keptAs = await moveAside(file, `${file}.imported`);
  return { kind: 'imported', file, records, skipped, segments: byDay.size, keptAs };
}

async function damaged(file: string, error: string, nowMs: number): Promise<ImportOutcome> {
  try {
    return { kind: 'damaged', file, error, keptAs: await moveAside(file, `${file}.damaged-${stamp(nowMs)}`) };
  } catch (e) {
    return { kind: 'damaged', file, error: `${error}; could not move it aside: ${describeError(e)}` };
  }
}
