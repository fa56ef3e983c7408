/**
 * The one segment store: one kind of record (status samples, or DNS probe
 * samples) kept in one directory as one file per UTC day, and in memory in a
 * log. The local history and every peer's copy are made of these; they
 * differ only in their write policy:
 *
 * - `line`: each record is appended and fdatasync'ed on its own (the local
 *   history: a crash loses at most the line being written);
 * - `batch`: the records of one refresh are appended with one fdatasync per
 *   day, and records of a day already closed rewrite that day's compact file
 *   from memory (a peer's copy, which can be pulled again).
 *
 * On disk: the open day as JSON Lines (`status-2026-11-28.jsonl`), closed days
 * compacted (`status-2026-11-27.cols.gz`, columnar.ts). Loading repairs a torn
 * end, compacts closed days, and moves aside (never deletes) a damaged
 * compact file, a symlink or other non-file where a segment belongs, and a
 * segment dated further ahead of the clock than the skew tolerance.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_MS, dayKey, dayStart } from '../history/time.js';
import { readContainer, DEFAULT_MAX_SEGMENT_BYTES, type Container, type Decoded } from './columnar.js';
import { syncDirectory, writeDurably } from './durable.js';
import { scanJsonlFile, type JsonlScan } from './jsonl.js';
import { moveAside, openDataFile, readDataFile } from './safe-fs.js';
import { SegmentWriter, describeError, type WriteResult } from './segment-writer.js';
import { listSegments, segmentName, type DaySegments, type SegmentKind, type SegmentListing } from './segments.js';

/** Something worth one log line. `file`/`offset` locate damaged data. */
export interface StoreNote {
  level: 'info' | 'warn' | 'error';
  message: string;
  file?: string;
  offset?: number;
}

/** What the store needs of an in-memory log (SampleLog, ConnectivityLog). */
export interface SegmentLog<Rec, Cols> {
  append(r: Rec): boolean;
  appendColumns(c: Cols): void;
  toColumns(fromMs?: number, toMs?: number): Cols;
  pruneBefore(ms: number): number;
}

/** How one kind of record is parsed, encoded and held. */
export interface SegmentCodec<Rec, Cols, Log extends SegmentLog<Rec, Cols>> {
  kind: SegmentKind;
  accept(v: unknown): Rec | string;
  /** Checks an unpacked compact file. */
  check(c: Container): Decoded<Cols>;
  encode(cols: Cols): Buffer;
  /** A new, empty log. */
  create(): Log;
  /** The record's time (ms), NaN when it has none. */
  timeOf(r: Rec): number;
}

/** `line`: fdatasync per record; `batch`: per call of appendBatch (see the module comment). */
export type WritePolicy = 'line' | 'batch';

/**
 * How far ahead of the clock a segment's day may start before the file is
 * taken as dated in the future: a day, so a clock stepped back across
 * midnight still finds today's file.
 */
export const FUTURE_TOLERANCE_MS = DAY_MS;

export interface SegmentStoreOptions {
  dir: string;
  retentionDays: number;
  now: () => number;
  policy: WritePolicy;
  onNote: (note: StoreNote) => void;
  /** Bytes of lines kept for retry after a failed write (default 32 MiB). */
  maxPendingBytes?: number;
  /** Inflated bytes a compact file may hold (default columnar.ts DEFAULT_MAX_SEGMENT_BYTES). */
  maxSegmentBytes?: number;
}

/** Damaged lines of one file reported one by one; past this, the rest are counted in one note. */
const MAX_LINE_NOTES = 20;

/** The notes for a JSON Lines scan's damaged lines. */
function badLineNotes(path: string, read: JsonlScan): StoreNote[] {
  const notes = read.bad.slice(0, MAX_LINE_NOTES).map((b): StoreNote => ({
    level: 'warn',
    file: path,
    offset: b.offset,
    message: b.tail
      ? `dropped a damaged last line (${b.reason}, ${b.length} bytes at offset ${b.offset})`
      : `skipped a damaged line (${b.reason}, ${b.length} bytes at offset ${b.offset})`,
  }));
  const more = read.bad.length - notes.length;
  if (more > 0) notes.push({ level: 'warn', file: path, message: `and ${more} more damaged line(s), not listed one by one` });
  return notes;
}

/** New lines must start on a line of their own: cut a torn last line (crash mid-append), end a whole one. */
async function repairTail(path: string, read: JsonlScan, onNote: (n: StoreNote) => void): Promise<void> {
  const torn = read.bad.some((b) => b.tail);
  if (!torn && !read.missingNewline) return;
  try {
    const h = await openDataFile(path, 'readwrite', (message, file) => onNote({ level: 'error', file, message }));
    try {
      if (torn) await h.truncate(read.goodEnd);
      else await h.write('\n', (await h.stat()).size);
      await h.datasync();
    } finally {
      await h.close();
    }
  } catch (e) {
    onNote({ level: 'error', file: path, message: `cannot repair the end of the segment: ${describeError(e)}` });
  }
}

/** See the module comment. Create, then {@link load}, then append. */
export class SegmentStore<Rec, Cols, Log extends SegmentLog<Rec, Cols>> {
  readonly log: Log;
  readonly #opts: SegmentStoreOptions;
  readonly #codec: SegmentCodec<Rec, Cols, Log>;
  #writer: SegmentWriter | undefined;
  #maintenance: Promise<unknown> = Promise.resolve();

  constructor(opts: SegmentStoreOptions, codec: SegmentCodec<Rec, Cols, Log>) {
    this.#opts = opts;
    this.#codec = codec;
    this.log = codec.create();
  }

  /** The writer (set up by load): counters and the current day. */
  get writer(): SegmentWriter {
    if (this.#writer === undefined) throw new Error('SegmentStore used before load()');
    return this.#writer;
  }

  #expect(policy: WritePolicy): void {
    if (this.#opts.policy !== policy) throw new Error(`a ${this.#opts.policy}-policy store written as ${policy}`);
  }

  #note(level: StoreNote['level'], file: string, message: string): void {
    this.#opts.onNote({ level, file, message });
  }

  /**
   * Loads `days` (this kind's listing) into the log: sets aside segments dated
   * in the future, removes days past retention (by the clock and by the
   * newest day on disk, keeping the newest retention + 1 days whatever the
   * clock says), repairs, compacts closed days, and starts the writer on the
   * open day.
   */
  async load(days: readonly DaySegments[], nowMs: number = this.#opts.now()): Promise<void> {
    const present: DaySegments[] = [];
    for (const seg of days) {
      if (seg.day > nowMs + FUTURE_TOLERANCE_MS) await this.#setAsideFuture(seg, nowMs);
      else present.push(seg);
    }
    // At start the clock is all there is to go by, so two more guards against one that is far ahead: retention
    // also counts from the newest day on disk, and the newest retention + 1 days on disk always stay.
    const newest = present.length > 0 ? present[present.length - 1]!.day : dayStart(nowMs);
    const startCutoff = this.#diskCutoff(Math.min(nowMs, newest + DAY_MS - 1));
    const kept = new Set(present.slice(-(this.#opts.retentionDays + 1)).map((seg) => seg.day));
    // Appends never go to a day that is already compacted, even if the clock went back.
    let openDay = dayStart(nowMs);
    for (const seg of present) openDay = Math.max(openDay, seg.compact !== undefined ? seg.day + DAY_MS : seg.day);
    const memCutoff = nowMs - this.#opts.retentionDays * DAY_MS;
    for (const seg of present) {
      if (seg.day < startCutoff && !kept.has(seg.day)) {
        for (const f of await this.#removeDay(seg)) this.#note('info', f, 'removed segment past retention');
        continue;
      }
      if (seg.day + DAY_MS <= memCutoff) continue;
      if (seg.compact !== undefined && (await this.#loadCompact(seg.compact, seg.jsonl))) continue;
      if (seg.jsonl !== undefined) await this.#loadJsonl(seg.jsonl, seg.day, seg.day < openDay);
    }
    this.log.pruneBefore(memCutoff);
    this.#writer = this.#createWriter(openDay);
  }

  #createWriter(openDay: number): SegmentWriter {
    const { dir, maxPendingBytes } = this.#opts;
    return new SegmentWriter({
      dir,
      kind: this.#codec.kind,
      startDay: openDay,
      ...(maxPendingBytes !== undefined ? { maxPendingBytes } : {}),
      onClosed: (day) => void this.#schedule(() => this.#compactFromFile(day)),
      onRemoved: (path) => {
        this.#note('error', path, 'segment was removed while in use; its earlier lines are gone from disk (still served from memory until restart); starting it anew');
      },
      onAside: (message, path) => this.#note('error', path, message),
    });
  }

  async #setAsideFuture(seg: DaySegments, nowMs: number): Promise<void> {
    for (const f of [seg.jsonl, seg.compact]) {
      if (f === undefined) continue;
      const keptAs = await moveAside(f, 'future', (m) => this.#note('error', f, m));
      const where = keptAs !== undefined ? `moved aside as ${keptAs}` : 'left in place';
      this.#note('warn', f, `dated ${dayKey(seg.day)}, ahead of the clock (${dayKey(nowMs)}) by more than the skew tolerance of ${FUTURE_TOLERANCE_MS / DAY_MS} day; ${where}, its samples not loaded and no new sample goes to it`);
    }
  }

  /** True when the day's compact file was loaded; a damaged one is moved aside. */
  async #loadCompact(compact: string, jsonl: string | undefined): Promise<boolean> {
    const max = this.#opts.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    const decoded = await readDataFile(compact, max).then(
      async (buf) => {
        const c = await readContainer(buf, this.#codec.kind, max);
        return c.ok ? this.#codec.check(c.value) : c;
      },
      (e: unknown): Decoded<Cols> => ({ ok: false, error: `cannot read: ${describeError(e)}` }),
    );
    if (decoded.ok) {
      this.log.appendColumns(decoded.value);
      // A compaction that finished renaming but not deleting: the compact file is complete.
      if (jsonl !== undefined) await unlink(jsonl).catch(() => undefined);
      return true;
    }
    const keptAs = await moveAside(compact, 'damaged', (m) => this.#note('error', compact, m));
    this.#note('error', compact, `damaged compact segment (${decoded.error}); ${keptAs !== undefined ? `kept aside as ${keptAs}` : 'left in place'}, its samples are missing`);
    return false;
  }

  /** A closed day is gathered and compacted; the open day goes straight into the log. */
  async #loadJsonl(path: string, day: number, closed: boolean): Promise<void> {
    const mini = closed ? this.#codec.create() : undefined;
    let read;
    try {
      read = await scanJsonlFile(path, this.#codec.accept, (r) => (mini ?? this.log).append(r));
    } catch (e) {
      this.#note('error', path, `cannot read segment: ${describeError(e)}`);
      return;
    }
    for (const n of badLineNotes(path, read)) this.#opts.onNote(n);
    await repairTail(path, read, this.#opts.onNote);
    if (mini === undefined) return;
    const cols = mini.toColumns();
    this.log.appendColumns(cols);
    await this.#writeCompact(day, cols, path);
  }

  /** Writes a day's compact file and removes its JSON Lines. */
  async #writeCompact(day: number, cols: Cols, jsonl: string): Promise<void> {
    try {
      await writeDurably(join(this.#opts.dir, segmentName(this.#codec.kind, day, 'compact')), this.#codec.encode(cols), (m, f) => this.#note('error', f, m));
      await unlink(jsonl).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await syncDirectory(this.#opts.dir);
    } catch (e) {
      this.#note('warn', jsonl, `cannot compact closed segment (kept as JSON Lines): ${describeError(e)}`);
    }
  }

  /** Compacts a closed day from its JSON Lines file (the file, not memory: it may hold lines stamped on other days). */
  async #compactFromFile(day: number): Promise<void> {
    const path = join(this.#opts.dir, segmentName(this.#codec.kind, day, 'jsonl'));
    const mini = this.#codec.create();
    try {
      await scanJsonlFile(path, this.#codec.accept, (r) => mini.append(r));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.#note('warn', path, `cannot read closed segment for compaction: ${describeError(e)}`);
      return;
    }
    await this.#writeCompact(day, mini.toColumns(), path);
  }

  /**
   * Adds a record to memory at once and queues it for disk (policy `line`).
   * Resolves when it is on disk, or with the error (kept for retry).
   */
  async append(rec: Rec): Promise<WriteResult> {
    this.#expect('line');
    if (!this.log.append(rec)) return { ok: false, error: `${this.#codec.kind} record has no usable time; not stored` };
    return this.writer.append(JSON.stringify(rec), dayStart(this.#codec.timeOf(rec)));
  }

  /**
   * Writes records already added to memory (policy `batch`): today's and
   * later days' lines with one fdatasync per day (a record stamped beyond
   * the skew tolerance goes to today's file); an earlier day's compact file
   * is rewritten from memory, which holds all of that day.
   */
  async writeBatch(recs: readonly Rec[]): Promise<WriteResult> {
    this.#expect('batch');
    const nowMs = this.#opts.now();
    const today = dayStart(nowMs);
    const results: WriteResult[] = [await this.writer.advance(today)];
    const byDay = new Map<number, string[]>();
    for (const r of recs) {
      // A record stamped further ahead than the skew tolerance never makes a file dated in the future.
      const t = this.#codec.timeOf(r);
      const day = t > nowMs + FUTURE_TOLERANCE_MS ? today : dayStart(t);
      let lines = byDay.get(day);
      if (lines === undefined) byDay.set(day, (lines = []));
      lines.push(JSON.stringify(r));
    }
    for (const [day, lines] of byDay) {
      if (day >= today) results.push(await this.writer.appendLines(lines, day));
      else results.push(await this.#rewriteDay(day));
    }
    await this.#maintenance;
    return results.find((r) => !r.ok) ?? { ok: true };
  }

  #rewriteDay(day: number): Promise<WriteResult> {
    return this.#schedule(async () => {
      const path = join(this.#opts.dir, segmentName(this.#codec.kind, day, 'jsonl'));
      try {
        await writeDurably(join(this.#opts.dir, segmentName(this.#codec.kind, day, 'compact')), this.#codec.encode(this.log.toColumns(day, day + DAY_MS - 1)), (m, f) => this.#note('error', f, m));
        await unlink(path).catch(() => undefined);
        return { ok: true } as const;
      } catch (e) {
        return { ok: false, error: describeError(e) } as const;
      }
    });
  }

  /** Segment files past retention + 1 day (by `nowMs`); the open day never. */
  #diskCutoff(nowMs: number): number {
    return dayStart(nowMs) - (this.#opts.retentionDays + 1) * DAY_MS;
  }

  async #removeDay(seg: DaySegments): Promise<string[]> {
    const removed: string[] = [];
    for (const f of [seg.jsonl, seg.compact]) {
      if (f === undefined) continue;
      try {
        await unlink(f);
        removed.push(f);
      } catch (e) {
        this.#note('warn', f, `cannot remove segment past retention: ${describeError(e)}`);
      }
    }
    return removed;
  }

  /**
   * Drops records older than retention from memory and removes the files of
   * days that ended more than retention + 1 day before `nowMs` (never the day
   * being written).
   */
  prune(nowMs: number): Promise<{ removedFiles: string[]; removedRecords: number }> {
    return this.#schedule(async () => {
      const removedRecords = this.log.pruneBefore(nowMs - this.#opts.retentionDays * DAY_MS);
      const cutoff = this.#diskCutoff(nowMs);
      const removedFiles: string[] = [];
      let days: DaySegments[];
      try {
        days = (await listSegments(this.#opts.dir))[this.#codec.kind];
      } catch (e) {
        this.#note('warn', this.#opts.dir, `cannot list the directory for pruning: ${describeError(e)}`);
        return { removedFiles, removedRecords };
      }
      for (const seg of days) {
        if (seg.day >= cutoff || seg.day >= this.writer.currentDay) continue;
        removedFiles.push(...(await this.#removeDay(seg)));
      }
      return { removedFiles, removedRecords };
    });
  }

  /** Forgets every record, in memory and on disk (a peer that became another node). */
  async removeAll(): Promise<void> {
    this.log.pruneBefore(Infinity);
    await this.writer.release();
    await this.#schedule(async () => {
      for (const seg of (await listSegments(this.#opts.dir))[this.#codec.kind]) {
        for (const f of [seg.jsonl, seg.compact]) if (f !== undefined) await unlink(f).catch(() => undefined);
      }
    });
  }

  /** Waits for queued writes and maintenance (a compaction just started by a day's roll), then closes the file. */
  async close(): Promise<WriteResult> {
    const r = this.#writer === undefined ? ({ ok: true } as const) : await this.#writer.close();
    await this.#maintenance;
    return r;
  }

  /** Runs maintenance one task at a time, apart from the write queue. */
  #schedule<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#maintenance.then(task, task);
    this.#maintenance = run.catch(() => undefined);
    return run;
  }
}

/**
 * Lists `dir` for opening its stores: removes leftovers of interrupted writes
 * and moves aside what sits under a segment name without being a regular file
 * (a symlink is never followed, its target never touched).
 */
export async function listForOpen(dir: string, onNote: (note: StoreNote) => void): Promise<SegmentListing> {
  const listing = await listSegments(dir);
  for (const tmp of listing.temps) await unlink(tmp).catch(() => undefined);
  for (const path of listing.hostile) {
    const keptAs = await moveAside(path, 'link', (m) => onNote({ level: 'error', file: path, message: m }));
    onNote({ level: 'error', file: path, message: `not a regular file (a symbolic link or a directory) where a segment belongs: never followed; ${keptAs !== undefined ? `moved aside as ${keptAs}` : 'left in place'}` });
  }
  return listing;
}
