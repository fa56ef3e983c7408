import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { openDataFile, type AsideNote } from './safe-fs.js';
import { segmentName, type SegmentKind } from './segments.js';

/** Outcome of a durable write; failures are values (the caller logs them). */
export type WriteResult = { ok: true } | { ok: false; error: string };

export interface SegmentWriterOptions {
  dir: string;
  kind: SegmentKind;
  /** Day (ms) of the segment open for appends; lines never go to an older day's file. */
  startDay: number;
  /** Bytes of unwritten lines kept for retry; the oldest are dropped beyond this. Default 32 MiB. */
  maxPendingBytes?: number;
  /** Called when the writer moves past `day`: that day's JSONL is complete and may be compacted. */
  onClosed?: (day: number) => void;
  /** Told when the open segment was found removed from the directory (a new one is started). */
  onRemoved?: (path: string) => void;
  /** Told when a symlink (or a hard-linked file) found where the segment belongs was moved aside. */
  onAside?: AsideNote;
}

interface Pending {
  day: number;
  text: string;
  bytes: number;
}

/** `ENOSPC: no space left on device, write` */
export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Appends JSON lines to the day's segment, one at a time (a queue, so lines
 * never interleave), each followed by fdatasync. A line's day is its
 * sample's UTC day, or the current segment's when that is later (a wall clock
 * that went back never reopens a closed day). A failed write is undone
 * (truncated back), the file closed (a descriptor that failed is not trusted
 * again, and a closed file does not keep a file system from being remounted),
 * and the line kept in a bounded buffer; every later append first retries the
 * buffered lines, in order. A segment removed from the directory while open is
 * noticed at the next append and started anew, rather than written into a file
 * nobody can read.
 */
export class SegmentWriter {
  readonly #dir: string;
  readonly #kind: SegmentKind;
  readonly #maxPendingBytes: number;
  readonly #onClosed: ((day: number) => void) | undefined;
  readonly #onRemoved: ((path: string) => void) | undefined;
  readonly #onAside: AsideNote | undefined;
  #day: number;
  #handle: FileHandle | undefined;
  #handleDay = NaN;
  /** Bytes of the open day's file known to end in a whole line. */
  #goodSize = 0;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  #dropped = 0;
  #lastError: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: SegmentWriterOptions) {
    this.#dir = opts.dir;
    this.#kind = opts.kind;
    this.#day = opts.startDay;
    this.#maxPendingBytes = opts.maxPendingBytes ?? 32 * 1024 * 1024;
    this.#onClosed = opts.onClosed;
    this.#onRemoved = opts.onRemoved;
    this.#onAside = opts.onAside;
  }

  /** Day (ms) of the segment lines currently go to. */
  get currentDay(): number {
    return this.#day;
  }

  /** Lines waiting to be written after a failure. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Lines given up because the buffer was full. */
  get droppedCount(): number {
    return this.#dropped;
  }

  /** The last write error, cleared by the next fully successful write. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Queues `line` (no newline) for the segment of `sampleDay`; resolves when it (and all before it) is on disk, or failed. */
  append(line: string, sampleDay: number): Promise<WriteResult> {
    return this.#queueText(`${line}\n`, sampleDay);
  }

  /** As {@link append} for several lines of one day, written with one fdatasync (the per-batch write policy). */
  appendLines(lines: readonly string[], day: number): Promise<WriteResult> {
    return lines.length === 0 ? this.flush() : this.#queueText(`${lines.join('\n')}\n`, day);
  }

  /** Moves on to `day` when it is later than the current one, closing (and handing to onClosed) the current day. */
  advance(day: number): Promise<WriteResult> {
    return this.#enqueue(async () => {
      await this.#roll(day);
      return { ok: true };
    });
  }

  /** Closes the file; the next line opens (or creates) it again. For removing the files under the writer. */
  release(): Promise<WriteResult> {
    return this.#enqueue(async () => {
      await this.#closeHandle();
      this.#handleDay = NaN;
      return { ok: true };
    });
  }

  #queueText(text: string, sampleDay: number): Promise<WriteResult> {
    return this.#enqueue(async () => {
      const bytes = Buffer.byteLength(text);
      this.#pending.push({ day: sampleDay, text, bytes });
      this.#pendingBytes += bytes;
      while (this.#pendingBytes > this.#maxPendingBytes && this.#pending.length > 1) {
        this.#pendingBytes -= this.#pending.shift()!.bytes;
        this.#dropped++;
      }
      return this.#drain();
    });
  }

  /** Retries buffered lines now. */
  flush(): Promise<WriteResult> {
    return this.#enqueue(() => this.#drain());
  }

  /** Writes what it can and closes the file. Lines still buffered are reported, not kept. */
  close(): Promise<WriteResult> {
    return this.#enqueue(async () => {
      const result = await this.#drain();
      await this.#closeHandle();
      return result;
    });
  }

  #enqueue(task: () => Promise<WriteResult>): Promise<WriteResult> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #drain(): Promise<WriteResult> {
    while (this.#pending.length > 0) {
      const p = this.#pending[0]!;
      try {
        await this.#write(p);
      } catch (e) {
        this.#lastError = describeError(e);
        const waiting = this.#pending.length;
        const lines = (n: number) => `${n} ${this.#kind} line${n === 1 ? '' : 's'}`;
        const dropped = this.#dropped > 0 ? `; ${lines(this.#dropped)} given up so far, the retry buffer being full` : '';
        return { ok: false, error: `${this.#lastError} (${lines(waiting)} waiting${dropped})` };
      }
      this.#pending.shift();
      this.#pendingBytes -= p.bytes;
    }
    this.#lastError = undefined;
    return { ok: true };
  }

  async #roll(day: number): Promise<void> {
    if (day <= this.#day) return;
    const closed = this.#day;
    this.#day = day;
    await this.#closeHandle();
    this.#onClosed?.(closed);
  }

  async #write(p: Pending): Promise<void> {
    await this.#roll(p.day);
    const handle = await this.#handleFor(this.#day);
    try {
      await handle.appendFile(p.text);
      await handle.datasync();
      this.#goodSize += p.bytes;
    } catch (e) {
      // Undo a partial line so the retry does not glue onto garbage; the retry reopens the file
      // (and cuts it back again, should this truncate not have worked).
      await handle.truncate(this.#goodSize).catch(() => undefined);
      await this.#closeHandle();
      throw e;
    }
  }

  async #handleFor(day: number): Promise<FileHandle> {
    const path = join(this.#dir, segmentName(this.#kind, day, 'jsonl'));
    if (this.#handle !== undefined && this.#handleDay === day) {
      // One fstat per line, next to an fdatasync: cheap, and it catches a segment deleted under us.
      // (A descriptor that cannot even be stat'ed is reopened like one that failed a write.)
      const st = await this.#handle.stat().catch(() => undefined);
      if (st !== undefined && st.nlink > 0) return this.#handle;
      if (st !== undefined) {
        this.#onRemoved?.(path);
        this.#handleDay = NaN;
      }
    }
    await this.#closeHandle();
    const known = this.#handleDay === day ? this.#goodSize : undefined;
    const handle = await openDataFile(path, 'append', this.#onAside);
    try {
      let size = (await handle.stat()).size;
      // Bytes past the last whole line we wrote are a line that failed half-way: cut them off.
      // (A file shorter than that was replaced by someone else: never extend it with zeros.)
      if (known !== undefined && size > known) {
        await handle.truncate(known);
        size = known;
      }
      this.#goodSize = size;
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
    this.#handle = handle;
    this.#handleDay = day;
    return handle;
  }

  async #closeHandle(): Promise<void> {
    const h = this.#handle;
    this.#handle = undefined;
    if (h !== undefined) await h.close().catch(() => undefined);
  }
}
