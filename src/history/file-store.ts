/**
 * Durable history under the data directory, loaded into memory once.
 *
 * On disk: one segment per UTC day and kind. The open day is JSON Lines
 * (`status-2026-11-28.jsonl`, one StatusEntry per line in the original's wire
 * shape, appended with fdatasync), so a crash loses at most the line being
 * written. Closed days are compacted into `status-2026-11-28.cols.gz`
 * (columnar.ts), which is what makes a cold start of 30 days x 500 units
 * fast. Same for `connectivity-*`.
 *
 * Requests are answered from the in-memory logs (`status`, `connectivity`);
 * files are only read by `open()` and by the compaction of a closed day.
 */
import { appendFile, mkdir, open, readFile, rename, truncate, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import { decodeConnectivity, decodeStatus, encodeConnectivity, encodeStatus, type Decoded } from './columnar.js';
import { ConnectivityLog, type ConnectivityColumns } from './connectivity-log.js';
import { importLegacy, LEGACY_FILES } from './import.js';
import { scanJsonlFile } from './jsonl.js';
import { acceptConnectivity, acceptStatusEntry } from './records.js';
import { SampleLog, type SampleColumns } from './sample-log.js';
import { SegmentWriter, describeError, type WriteResult } from './segment-writer.js';
import { listSegments, segmentName, type DaySegments, type SegmentKind } from './segments.js';
import { DAY_MS, dayStart, isoSeconds, parseTime } from './time.js';
import { syncDirectory, writeDurably } from './durable.js';

export type { WriteResult } from './segment-writer.js';

/** Something worth one log line. `file`/`offset` locate damaged data. */
export interface StoreNote {
  level: 'info' | 'warn' | 'error';
  message: string;
  file?: string;
  offset?: number;
}

export interface OpenReport {
  /** In order of occurrence: torn or garbage lines dropped, imports, damaged files kept aside. */
  notes: StoreNote[];
  statusSamples: number;
  connectivitySamples: number;
  /** Wall time open() took, in ms (measured with `now`). */
  loadMs: number;
}

export type OpenResult = { ok: true; store: FileStore; report: OpenReport } | { ok: false; error: string };

export interface FileStoreOptions {
  /** The data directory; created when missing. */
  dir: string;
  /** Days of history kept in memory; whole segments are removed from disk one day after that. */
  retentionDays: number;
  now: () => number;
  /** Per kind, bytes of lines kept for retry after a failed write (default 32 MiB). */
  maxPendingBytes?: number;
  /** Notes from work done after open (compaction of a closed day, pruning). */
  onNote?: (note: StoreNote) => void;
  /**
   * A monotonic clock in ms (e.g. performance.now). When given, prune() does
   * nothing while the wall clock has run more than a day ahead of it since
   * open (a clock stepped forward: pruning by it would delete history that is
   * not old), for at most a day of monotonic time, after which the new wall
   * time is taken as right. Without it, prune() trusts `now`.
   */
  monotonic?: () => number;
}

export interface PruneReport {
  removedFiles: string[];
  removedSamples: number;
  removedConnectivitySamples: number;
}

/** What the store needs of an in-memory log (SampleLog, ConnectivityLog). */
interface LogOf<Rec, Cols> {
  append(r: Rec): boolean;
  appendColumns(c: Cols): void;
  toColumns(): Cols;
}

/** How one kind of record is parsed, encoded and held. */
interface Kind<Rec, Cols, Log extends LogOf<Rec, Cols>> {
  kind: SegmentKind;
  accept(v: unknown): Rec | string;
  decode(buf: Buffer): Decoded<Cols>;
  encode(cols: Cols): Buffer;
  create(): Log;
}

const STATUS: Kind<StatusEntry, SampleColumns, SampleLog> = {
  kind: 'status',
  accept: acceptStatusEntry,
  decode: decodeStatus,
  encode: encodeStatus,
  create: () => new SampleLog(),
};

const CONNECTIVITY: Kind<ConnectivityStatus, ConnectivityColumns, ConnectivityLog> = {
  kind: 'connectivity',
  accept: acceptConnectivity,
  decode: decodeConnectivity,
  encode: encodeConnectivity,
  create: () => new ConnectivityLog(),
};

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? describeError(e);
}


/** The data directory must exist (or be creatable) and accept a synced write. */
async function checkDirectory(dir: string, nowMs: number): Promise<string | undefined> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    const code = errorCode(e);
    return code === 'EEXIST' ? 'the data directory path exists and is not a directory' : `cannot create the data directory (${code})`;
  }
  const probe = join(dir, `.write-test-${process.pid}-${nowMs}`);
  try {
    const h = await open(probe, 'w');
    try {
      await h.writeFile('ok');
      await h.datasync();
    } finally {
      await h.close();
    }
    await unlink(probe);
  } catch (e) {
    await unlink(probe).catch(() => undefined);
    return `the data directory is not writable (${errorCode(e)})`;
  }
  return undefined;
}

/** See the module comment. Create with {@link FileStore.open}. */
export class FileStore {
  /** All status samples within retention, in memory. */
  readonly status: SampleLog;
  /** All DNS probe samples within retention, in memory. */
  readonly connectivity: ConnectivityLog;
  readonly #dir: string;
  readonly #retentionDays: number;
  readonly #now: () => number;
  readonly #onNote: (note: StoreNote) => void;
  readonly #writers: Record<SegmentKind, SegmentWriter>;
  #maintenance: Promise<unknown> = Promise.resolve();
  readonly #monotonic: (() => number) | undefined;
  /** Wall minus monotonic time when the clocks were last taken to agree. */
  #wallOffset = 0;
  /** Monotonic time pruning was first held back since the clocks last agreed. */
  #heldSince: number | undefined;

  private constructor(opts: FileStoreOptions, status: SampleLog, connectivity: ConnectivityLog, openDays: Record<SegmentKind, number>) {
    this.status = status;
    this.connectivity = connectivity;
    this.#dir = opts.dir;
    this.#retentionDays = opts.retentionDays;
    this.#now = opts.now;
    this.#onNote = opts.onNote ?? (() => undefined);
    this.#monotonic = opts.monotonic;
    if (this.#monotonic !== undefined) this.#wallOffset = opts.now() - this.#monotonic();
    const writer = (kind: SegmentKind): SegmentWriter =>
      new SegmentWriter({
        dir: opts.dir,
        kind,
        startDay: openDays[kind],
        ...(opts.maxPendingBytes !== undefined ? { maxPendingBytes: opts.maxPendingBytes } : {}),
        onClosed: (day) => {
          this.#schedule(() => (kind === 'status' ? this.#compactDay(STATUS, day) : this.#compactDay(CONNECTIVITY, day)));
        },
        onRemoved: (path) => {
          this.#onNote({ level: 'error', file: path, message: 'segment was removed while in use; its earlier lines are gone from disk (still served from memory until restart); starting it anew' });
        },
      });
    this.#writers = { status: writer('status'), connectivity: writer('connectivity') };
  }

  /**
   * Opens (creating if needed) the data directory: imports the original's
   * history files when there are no segments yet, compacts closed days, and
   * loads everything within retention. Segments past retention are left for
   * {@link prune} (never deleted on the word of the clock at start alone).
   * Damaged data is reported in `report.notes`, never fatal; only a data
   * directory that cannot be created or written is an error.
   */
  static async open(opts: FileStoreOptions): Promise<OpenResult> {
    try {
      return await FileStore.#open(opts);
    } catch (e) {
      return { ok: false, error: `cannot open the history (${describeError(e)})` };
    }
  }

  static async #open(opts: FileStoreOptions): Promise<OpenResult> {
    const started = opts.now();
    const problem = await checkDirectory(opts.dir, started);
    if (problem !== undefined) return { ok: false, error: problem };
    const notes: StoreNote[] = [];
    let listing;
    try {
      listing = await listSegments(opts.dir);
    } catch (e) {
      return { ok: false, error: `cannot list the data directory (${errorCode(e)})` };
    }
    for (const tmp of listing.temps) await unlink(tmp).catch(() => undefined);

    let imported = false;
    for (const kind of ['status', 'connectivity'] as const) {
      if (listing[kind].length > 0) continue;
      const outcome = await importLegacy(opts.dir, kind, started).catch(
        (e: unknown) => ({ kind: 'failed', file: join(opts.dir, LEGACY_FILES[kind]), error: describeError(e) }) as const,
      );
      if (outcome.kind === 'imported') {
        imported = true;
        const skipped = outcome.skipped > 0 ? `, skipped ${outcome.skipped} invalid record(s)` : '';
        notes.push({ level: 'info', file: outcome.file, message: `imported ${outcome.records} record(s) into ${outcome.segments} daily segment(s)${skipped}; original kept as ${outcome.keptAs}` });
      } else if (outcome.kind === 'damaged') {
        const kept = outcome.keptAs !== undefined ? `; kept aside as ${outcome.keptAs}` : '';
        notes.push({ level: 'warn', file: outcome.file, message: `cannot import ${LEGACY_FILES[kind]}: ${outcome.error}${kept}` });
      } else if (outcome.kind === 'failed') {
        notes.push({ level: 'error', file: outcome.file, message: `import failed, will retry at next start: ${outcome.error}` });
      }
    }
    if (imported) listing = await listSegments(opts.dir);

    const nowMs = opts.now();
    const memCutoff = nowMs - opts.retentionDays * DAY_MS;
    const openDays = { status: 0, connectivity: 0 };
    const status = new SampleLog();
    const connectivity = new ConnectivityLog();
    for (const kind of ['status', 'connectivity'] as const) {
      // Nothing is deleted at start: a clock far ahead (still wrong after a restart) would take the
      // whole history with it. Segments past retention are not loaded, and prune() removes them.
      const days: DaySegments[] = listing[kind];
      // Appends never go to a day that is already compacted, even if the clock went back.
      let openDay = dayStart(nowMs);
      for (const seg of days) openDay = Math.max(openDay, seg.compact !== undefined ? seg.day + DAY_MS : seg.day);
      openDays[kind] = openDay;
      const ctx = { nowMs, openDay, memCutoff, notes };
      if (kind === 'status') await loadKind(STATUS, status, days, ctx);
      else await loadKind(CONNECTIVITY, connectivity, days, ctx);
    }
    status.pruneBefore(memCutoff);
    connectivity.pruneBefore(memCutoff);
    await syncDirectory(opts.dir);
    const store = new FileStore(opts, status, connectivity, openDays);
    return {
      ok: true,
      store,
      report: { notes, statusSamples: status.length, connectivitySamples: connectivity.length, loadMs: opts.now() - started },
    };
  }

  /**
   * Adds a sample to memory at once and queues it for disk. Resolves when it
   * is on disk, or with the error (the line is kept and retried with the next
   * append or {@link flush}). Never rejects.
   */
  async appendStatus(entry: StatusEntry): Promise<WriteResult> {
    if (!this.status.append(entry)) return { ok: false, error: 'sample has no usable timestamp; not stored' };
    return this.#writers.status.append(JSON.stringify(entry), dayStart(parseTime(entry.timestamp)));
  }

  /** As {@link appendStatus}, for a DNS probe sample. */
  async appendConnectivity(sample: ConnectivityStatus): Promise<WriteResult> {
    if (!this.connectivity.append(sample)) return { ok: false, error: 'probe sample has no usable checked_at; not stored' };
    return this.#writers.connectivity.append(JSON.stringify(sample), dayStart(parseTime(sample.checked_at)));
  }

  /** Retries lines that failed to be written. */
  async flush(): Promise<WriteResult> {
    const results = await Promise.all([this.#writers.status.flush(), this.#writers.connectivity.flush()]);
    return results.find((r) => !r.ok) ?? { ok: true };
  }

  /** Lines waiting to be written after a failure (both kinds). */
  get pendingCount(): number {
    return this.#writers.status.pendingCount + this.#writers.connectivity.pendingCount;
  }

  /** Lines given up because the retry buffer was full (both kinds). */
  get droppedCount(): number {
    return this.#writers.status.droppedCount + this.#writers.connectivity.droppedCount;
  }

  /** The last write error not yet recovered from. */
  get lastWriteError(): string | undefined {
    return this.#writers.status.lastError ?? this.#writers.connectivity.lastError;
  }

  /**
   * Drops samples older than retention from memory and deletes whole segment
   * files whose day ended more than retention + 1 day ago. Run it daily.
   */
  prune(nowMs: number = this.#now()): Promise<PruneReport> {
    return this.#schedule(async () => {
      if (this.#holdPrune(nowMs)) return { removedFiles: [], removedSamples: 0, removedConnectivitySamples: 0 };
      const report: PruneReport = {
        removedFiles: [],
        removedSamples: this.status.pruneBefore(nowMs - this.#retentionDays * DAY_MS),
        removedConnectivitySamples: this.connectivity.pruneBefore(nowMs - this.#retentionDays * DAY_MS),
      };
      const diskCutoff = dayStart(nowMs) - (this.#retentionDays + 1) * DAY_MS;
      let listing;
      try {
        listing = await listSegments(this.#dir);
      } catch (e) {
        this.#onNote({ level: 'warn', message: `cannot list the data directory for pruning: ${describeError(e)}` });
        return report;
      }
      for (const kind of ['status', 'connectivity'] as const) {
        for (const seg of listing[kind]) {
          if (seg.day >= diskCutoff || seg.day >= this.#writers[kind].currentDay) continue;
          for (const f of [seg.jsonl, seg.compact]) {
            if (f === undefined) continue;
            try {
              await unlink(f);
              report.removedFiles.push(f);
            } catch (e) {
              this.#onNote({ level: 'warn', file: f, message: `cannot remove segment past retention: ${describeError(e)}` });
            }
          }
        }
      }
      return report;
    });
  }

  /** True when the wall clock ran ahead of the monotonic one (see FileStoreOptions.monotonic): skip this prune. */
  #holdPrune(nowMs: number): boolean {
    if (this.#monotonic === undefined) return false;
    const mono = this.#monotonic();
    const ahead = nowMs - mono - this.#wallOffset;
    if (ahead <= DAY_MS) {
      this.#heldSince = undefined;
      return false;
    }
    this.#heldSince ??= mono;
    if (mono - this.#heldSince >= DAY_MS) {
      this.#onNote({ level: 'warn', message: `the wall clock has been ${formatDays(ahead)} ahead of the time measured since start for a day: taking it as right, pruning resumes` });
      this.#wallOffset = nowMs - mono;
      this.#heldSince = undefined;
      return false;
    }
    this.#onNote({ level: 'warn', message: `the wall clock jumped ${formatDays(ahead)} ahead of the time measured since start; retention pruning held back so history is not deleted by a wrong clock` });
    return true;
  }

  /** Waits for queued writes and maintenance (a compaction just started by a day's roll), then closes the files. */
  async close(): Promise<WriteResult> {
    const results = await Promise.all([this.#writers.status.close(), this.#writers.connectivity.close()]);
    await this.#maintenance;
    return results.find((r) => !r.ok) ?? { ok: true };
  }

  /** Runs maintenance one task at a time, apart from the write queues. */
  #schedule<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#maintenance.then(task, task);
    this.#maintenance = run.catch(() => undefined);
    return run;
  }

  async #compactDay<Rec, Cols, Log extends LogOf<Rec, Cols>>(
    kind: Kind<Rec, Cols, Log>,
    day: number,
  ): Promise<void> {
    const path = join(this.#dir, segmentName(kind.kind, day, 'jsonl'));
    const mini = kind.create();
    try {
      await scanJsonlFile(path, kind.accept, (r) => mini.append(r));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#onNote({ level: 'warn', file: path, message: `cannot read closed segment for compaction: ${describeError(e)}` });
      }
      return;
    }
    try {
      await writeDurably(join(this.#dir, segmentName(kind.kind, day, 'compact')), kind.encode(mini.toColumns()));
      await unlink(path);
      await syncDirectory(this.#dir);
    } catch (e) {
      this.#onNote({ level: 'warn', file: path, message: `cannot compact closed segment (kept as JSON Lines): ${describeError(e)}` });
    }
  }
}

function formatDays(ms: number): string {
  return `${(ms / DAY_MS).toFixed(1)} days`;
}

interface LoadContext {
  nowMs: number;
  /** Day whose JSONL stays open for appends; earlier JSONL days get compacted. */
  openDay: number;
  /** Segments that ended before this are not loaded. */
  memCutoff: number;
  notes: StoreNote[];
}

/** Loads one kind's segments into `main`, repairing and compacting on the way. */
async function loadKind<Rec, Cols, Log extends LogOf<Rec, Cols>>(
  kind: Kind<Rec, Cols, Log>,
  main: Log,
  days: DaySegments[],
  ctx: LoadContext,
): Promise<void> {
  const { notes } = ctx;
  for (const seg of days) {
    if (seg.day + DAY_MS <= ctx.memCutoff) continue;
    if (seg.compact !== undefined) {
      const decoded = await readFile(seg.compact).then(
        (buf) => kind.decode(buf),
        (e: unknown): Decoded<Cols> => ({ ok: false, error: `cannot read: ${describeError(e)}` }),
      );
      if (decoded.ok) {
        main.appendColumns(decoded.value);
        // A compaction that finished renaming but not deleting: the compact file is complete.
        if (seg.jsonl !== undefined) await unlink(seg.jsonl).catch(() => undefined);
        continue;
      }
      const aside = `${seg.compact}.damaged-${isoSeconds(ctx.nowMs).replace(/[-:]/g, '')}`;
      const moved = await rename(seg.compact, aside).then(() => true, () => false);
      notes.push({ level: 'error', file: seg.compact, message: `damaged compact segment (${decoded.error}); ${moved ? `kept aside as ${aside}` : 'left in place'}, its samples are missing` });
      if (seg.jsonl === undefined) continue;
    }
    if (seg.jsonl === undefined) continue;
    // A closed day is gathered for compaction; the open day goes straight into the log.
    const closed = seg.day < ctx.openDay;
    const mini = closed ? kind.create() : undefined;
    let read;
    try {
      read = await scanJsonlFile(seg.jsonl, kind.accept, (r) => (mini ?? main).append(r));
    } catch (e) {
      notes.push({ level: 'error', file: seg.jsonl, message: `cannot read segment: ${describeError(e)}` });
      continue;
    }
    for (const b of read.bad) {
      notes.push({
        level: 'warn',
        file: seg.jsonl,
        offset: b.offset,
        message: b.tail
          ? `dropped a damaged last line (${b.reason}, ${b.length} bytes at offset ${b.offset})`
          : `skipped a damaged line (${b.reason}, ${b.length} bytes at offset ${b.offset})`,
      });
    }
    try {
      if (read.bad.some((b) => b.tail)) await truncate(seg.jsonl, read.goodEnd);
      else if (read.missingNewline) await appendFile(seg.jsonl, '\n');
    } catch (e) {
      notes.push({ level: 'error', file: seg.jsonl, message: `cannot repair the end of the segment: ${describeError(e)}` });
    }
    if (mini !== undefined) {
      const cols = mini.toColumns();
      main.appendColumns(cols);
      const target = join(dirname(seg.jsonl), segmentName(kind.kind, seg.day, 'compact'));
      try {
        await writeDurably(target, kind.encode(cols));
        await unlink(seg.jsonl);
      } catch (e) {
        notes.push({ level: 'warn', file: seg.jsonl, message: `cannot compact closed segment (kept as JSON Lines): ${describeError(e)}` });
      }
    }
  }
}
