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
 * The files are handled by the segment store (src/storage/), as a peer's
 * copy's are; what is the local history's own is the write policy (a
 * fdatasync per sample), the import of the original's files, and pruning
 * held back while the wall clock runs ahead of the monotonic one.
 */
import { mkdir, open, unlink, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../storage/durable.js';
import { listForOpen, type StoreNote } from '../storage/segment-store.js';
import { describeError, type WriteResult } from '../storage/segment-writer.js';
import type { SegmentListing } from '../storage/segments.js';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import type { ConnectivityLog } from './connectivity-log.js';
import { importLegacy, LEGACY_FILES } from './import.js';
import type { SampleLog } from './sample-log.js';
import { loadSegmentPair, type SegmentPair } from './segment-kinds.js';
import { DAY_MS, parseTime } from './time.js';

export type { WriteResult } from '../storage/segment-writer.js';
export type { StoreNote } from '../storage/segment-store.js';

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
    const h = await open(probe, 'wx');
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
  readonly #segments: SegmentPair;
  readonly #now: () => number;
  readonly #onNote: (note: StoreNote) => void;
  readonly #monotonic: (() => number) | undefined;
  /** Wall minus monotonic time when the clocks were last taken to agree. */
  #wallOffset = 0;
  /** Monotonic time pruning was first held back since the clocks last agreed. */
  #heldSince: number | undefined;

  private constructor(opts: FileStoreOptions, segments: SegmentPair) {
    this.#segments = segments;
    this.status = segments.status.log;
    this.connectivity = segments.connectivity.log;
    this.#now = opts.now;
    this.#onNote = opts.onNote ?? (() => undefined);
    this.#monotonic = opts.monotonic;
    if (this.#monotonic !== undefined) this.#wallOffset = opts.now() - this.#monotonic();
  }

  /**
   * Opens (creating if needed) the data directory: imports the original's
   * history files when there are no segments yet, compacts closed days, and
   * loads everything within retention. Files past retention are removed when
   * they are past it both by the clock and counting from the newest day on
   * disk, so a clock far ahead at start takes nothing; {@link prune} does the
   * rest. Damaged data is reported in `report.notes`, never fatal; only a data
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
    // Notes of the load go into the report; later ones (compaction, pruning) to onNote.
    let sink = (n: StoreNote): void => void notes.push(n);
    const onNote = (n: StoreNote): void => sink(n);
    let listing;
    try {
      listing = await listForOpen(opts.dir, onNote);
    } catch (e) {
      return { ok: false, error: `cannot list the data directory (${errorCode(e)})` };
    }
    if (await importMissing(opts.dir, listing, started, notes)) listing = await listForOpen(opts.dir, onNote);
    const segments = await loadSegmentPair({
      dir: opts.dir,
      retentionDays: opts.retentionDays,
      now: opts.now,
      policy: 'line',
      onNote,
      ...(opts.maxPendingBytes !== undefined ? { maxPendingBytes: opts.maxPendingBytes } : {}),
    }, listing);
    await syncDirectory(opts.dir);
    const store = new FileStore(opts, segments);
    sink = store.#onNote;
    return {
      ok: true,
      store,
      report: { notes, statusSamples: store.status.length, connectivitySamples: store.connectivity.length, loadMs: opts.now() - started },
    };
  }

  /**
   * Adds a sample to memory at once and queues it for disk. Resolves when it
   * is on disk, or with the error (the line is kept and retried with the next
   * append or {@link flush}). Never rejects.
   */
  async appendStatus(entry: StatusEntry): Promise<WriteResult> {
    if (Number.isNaN(parseTime(entry.timestamp))) return { ok: false, error: 'sample has no usable timestamp; not stored' };
    return this.#segments.status.append(entry);
  }

  /** As {@link appendStatus}, for a DNS probe sample. */
  async appendConnectivity(sample: ConnectivityStatus): Promise<WriteResult> {
    if (Number.isNaN(parseTime(sample.checked_at))) return { ok: false, error: 'probe sample has no usable checked_at; not stored' };
    return this.#segments.connectivity.append(sample);
  }

  /** Retries lines that failed to be written. */
  async flush(): Promise<WriteResult> {
    const results = await Promise.all([this.#segments.status.writer.flush(), this.#segments.connectivity.writer.flush()]);
    return results.find((r) => !r.ok) ?? { ok: true };
  }

  /** Lines waiting to be written after a failure (both kinds). */
  get pendingCount(): number {
    return this.#segments.status.writer.pendingCount + this.#segments.connectivity.writer.pendingCount;
  }

  /** Lines given up because the retry buffer was full (both kinds). */
  get droppedCount(): number {
    return this.#segments.status.writer.droppedCount + this.#segments.connectivity.writer.droppedCount;
  }

  /** The last write error not yet recovered from. */
  get lastWriteError(): string | undefined {
    return this.#segments.status.writer.lastError ?? this.#segments.connectivity.writer.lastError;
  }

  /**
   * Drops samples older than retention from memory and deletes whole segment
   * files whose day ended more than retention + 1 day ago. Run at start (open
   * does) and hourly.
   */
  async prune(nowMs: number = this.#now()): Promise<PruneReport> {
    if (this.#holdPrune(nowMs)) return { removedFiles: [], removedSamples: 0, removedConnectivitySamples: 0 };
    const status = await this.#segments.status.prune(nowMs);
    const connectivity = await this.#segments.connectivity.prune(nowMs);
    return {
      removedFiles: [...status.removedFiles, ...connectivity.removedFiles],
      removedSamples: status.removedRecords,
      removedConnectivitySamples: connectivity.removedRecords,
    };
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
    const results = await Promise.all([this.#segments.status.close(), this.#segments.connectivity.close()]);
    return results.find((r) => !r.ok) ?? { ok: true };
  }
}

/** Imports the original's history files for each kind that has no segment yet; true when something was imported. */
async function importMissing(dir: string, listing: SegmentListing, nowMs: number, notes: StoreNote[]): Promise<boolean> {
  let imported = false;
  for (const kind of ['status', 'connectivity'] as const) {
    if (listing[kind].length > 0) {
      // Day files win: importing on top of them could duplicate or reorder samples. Say so, so the file is not thought imported.
      const legacy = join(dir, LEGACY_FILES[kind]);
      if (await lstat(legacy).then(() => true, () => false)) {
        notes.push({ level: 'warn', file: legacy, message: `not imported: this data directory already has ${kind} day files (import happens only into an empty history; move the day files away and restart to import it)` });
      }
      continue;
    }
    const outcome = await importLegacy(dir, kind, nowMs).catch(
      (e: unknown) => ({ kind: 'failed', file: join(dir, LEGACY_FILES[kind]), error: describeError(e) }) as const,
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
  return imported;
}

function formatDays(ms: number): string {
  return `${(ms / DAY_MS).toFixed(1)} days`;
}
