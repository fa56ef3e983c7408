/**
 * Reading JSON Lines segment files: one record per line, each line checked,
 * bad lines reported with their byte offset. The file is read in chunks and
 * each record handed on at once, so a day of 500-unit samples (over 100 MB)
 * never sits in memory whole; the event loop gets a turn between chunks.
 */
import { openDataFile } from './safe-fs.js';

/** A line that could not be used. `tail` = no good line follows it (a torn or garbage end). */
export interface BadLine {
  offset: number;
  length: number;
  tail: boolean;
  reason: string;
}

export interface JsonlScan {
  /** Records handed to `onRecord`. */
  count: number;
  bad: BadLine[];
  /** Byte offset just after the last good line: where to truncate a bad tail. */
  goodEnd: number;
  /** The last good line has no trailing newline (it was written whole, the newline was not). */
  missingNewline: boolean;
}

const CHUNK = 4 * 1024 * 1024;

interface LineSink {
  /** Bytes [from, to) of `data` are one line starting at `fileOffset`; `complete` = it ended with a newline. */
  line(data: Buffer, from: number, to: number, fileOffset: number, complete: boolean): void;
}

/** Feeds lines to `accept`/`onRecord` and keeps the bookkeeping of a scan. */
function lineParser<T>(accept: (value: unknown) => T | string, onRecord: (record: T) => void): LineSink & { finish(): JsonlScan } {
  const result: JsonlScan = { count: 0, bad: [], goodEnd: 0, missingNewline: false };
  let badBeforeGood = 0;
  return {
    line(data: Buffer, from: number, to: number, fileOffset: number, complete: boolean): void {
      const text = data.toString('utf8', from, to);
      if (text.trim() === '') return;
      let rec: T | string;
      try {
        rec = accept(JSON.parse(text));
      } catch {
        rec = complete ? 'not JSON' : 'incomplete line';
      }
      const length = to - from + (complete ? 1 : 0);
      if (typeof rec === 'string') {
        result.bad.push({ offset: fileOffset, length, tail: false, reason: rec });
        return;
      }
      onRecord(rec);
      result.count++;
      badBeforeGood = result.bad.length;
      result.goodEnd = fileOffset + length;
      result.missingNewline = !complete;
    },
    finish(): JsonlScan {
      for (let i = badBeforeGood; i < result.bad.length; i++) result.bad[i]!.tail = true;
      return result;
    },
  };
}

/** Feeds every whole line of `data` (which starts at `offset` in the file); returns where the unfinished rest starts. */
function feedLines(p: LineSink, data: Buffer, offset: number): number {
  let pos = 0;
  for (let nl = data.indexOf(10, pos); nl !== -1; nl = data.indexOf(10, pos)) {
    p.line(data, pos, nl, offset + pos, true);
    pos = nl + 1;
  }
  return pos;
}

/**
 * Reads `path` line by line; `accept` turns a parsed line into a record or
 * says why not; `onRecord` gets each record in file order. Blank lines are
 * ignored. Rejects only when the file cannot be read; a symlink is never
 * followed (the open fails with ELOOP).
 */
export async function scanJsonlFile<T>(
  path: string,
  accept: (value: unknown) => T | string,
  onRecord: (record: T) => void,
): Promise<JsonlScan> {
  const p = lineParser(accept, onRecord);
  const handle = await openDataFile(path, 'read');
  try {
    // One buffer for the whole file: the unfinished last line of each read moves to its front.
    let buf = Buffer.allocUnsafe(CHUNK);
    let kept = 0;
    let keptOffset = 0;
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, kept, buf.length - kept, null);
      if (bytesRead === 0) break;
      const data = buf.subarray(0, kept + bytesRead);
      const rest = feedLines(p, data, keptOffset);
      kept = data.length - rest;
      buf.copyWithin(0, rest, data.length);
      keptOffset += rest;
    }
    if (kept > 0) p.line(buf, 0, kept, keptOffset, false);
  } finally {
    await handle.close();
  }
  return p.finish();
}

export interface JsonlRead<T> extends JsonlScan {
  values: T[];
}

/** As {@link scanJsonlFile} for bytes already in memory, collecting the records. */
export async function readJsonl<T>(buf: Buffer, accept: (value: unknown) => T | string): Promise<JsonlRead<T>> {
  const values: T[] = [];
  const p = lineParser(accept, (r: T) => values.push(r));
  const rest = feedLines(p, buf, 0);
  if (rest < buf.length) p.line(buf, rest, buf.length, rest, false);
  return { ...p.finish(), values };
}
