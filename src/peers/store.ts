/**
 * A peer's history kept here: in memory (SampleLog, ConnectivityLog, as the
 * local node's) and under `<data_directory>/peers/<peer-id>/`, so that a
 * restart neither needs a full pull nor loses the 30-day view of a peer that
 * is down.
 *
 * On disk, the local store's segment names: the current UTC day as JSON Lines
 * (`status-2026-11-28.jsonl`, one refresh's new lines appended at once), closed
 * days compacted (`status-2026-11-27.cols.gz`), same for `connectivity-`; and
 * `peer.json` with what the last good refresh said besides history (node,
 * latest status and probe, targets, when). A peer is a copy of data that lives
 * elsewhere, so a refresh is written with one fdatasync per file, not one per
 * sample; a write failure is reported and the data stays in memory. The files
 * are the segment store's (src/storage/), the local history's own, with this
 * per-refresh write policy.
 */
import { unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as v from 'valibot';
import { ConnectivityLog } from '../history/connectivity-log.js';
import { SampleLog, type SampleColumns } from '../history/sample-log.js';
import { loadSegmentPair, type SegmentPair } from '../history/segment-kinds.js';
import { DAY_MS, dayStart, parseTime } from '../history/time.js';
import { writeDurably } from '../storage/durable.js';
import { ensureDataDirectory, openDataFile } from '../storage/safe-fs.js';
import { listForOpen, type StoreNote } from '../storage/segment-store.js';
import type { ConnectivityStatus, StatusEntry, Target } from '../types.js';
import { columnsAfter } from './page-columns.js';
import { connectivitySchema, nodeInfoSchema, statusEntrySchema, targetSchema, type PeerNodeInfo } from './schema.js';

/** What the last good refresh said besides history. */
export interface PeerMeta {
  /** The node as the peer describes itself (its own id, name, interval, features). */
  node?: PeerNodeInfo;
  /** The latest sample as the peer's status route sent it (with fields kept only for the latest). */
  status?: StatusEntry;
  connectivity?: ConnectivityStatus;
  targets?: Target[];
  /** RFC 3339. */
  last_success_at?: string;
}

const META_FILE = 'peer.json';

const metaSchema = v.object({
  node: v.optional(nodeInfoSchema),
  status: v.optional(statusEntrySchema),
  connectivity: v.optional(connectivitySchema),
  targets: v.optional(v.array(targetSchema)),
  last_success_at: v.optional(v.pipe(v.string(), v.check((s) => Number.isFinite(Date.parse(s))))),
});

export interface PeerStoreOptions {
  /** `<data_directory>/peers/<peer-id>`; without it the store is memory-only. */
  dir?: string;
  retentionDays: number;
  now: () => number;
  /** Problems worth a log line (damaged files, failed writes). */
  onNote?: (message: string) => void;
}

export type OpenPeerStoreResult = { ok: true; store: PeerStore } | { ok: false; error: string };

function errorText(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** Bytes of `peer.json` read at start; what a good refresh writes is far smaller. */
const MAX_META_BYTES = 64 * 1024 * 1024;

/** See the module comment. Create with {@link PeerStore.open}. */
export class PeerStore {
  readonly status: SampleLog;
  readonly connectivity: ConnectivityLog;
  #meta: PeerMeta = {};
  readonly #dir: string | undefined;
  readonly #segments: SegmentPair | undefined;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #note: (message: string) => void;
  #queue: Promise<unknown> = Promise.resolve();
  #lastWriteError: string | undefined;

  private constructor(opts: PeerStoreOptions, segments?: SegmentPair) {
    this.#dir = opts.dir;
    this.#segments = segments;
    this.status = segments?.status.log ?? new SampleLog();
    this.connectivity = segments?.connectivity.log ?? new ConnectivityLog();
    this.#retentionMs = opts.retentionDays * DAY_MS;
    this.#now = opts.now;
    this.#note = opts.onNote ?? (() => undefined);
  }

  /** A store without files (tests, or a peer that should not be persisted). */
  static memory(opts: Omit<PeerStoreOptions, 'dir'>): PeerStore {
    return new PeerStore(opts);
  }

  /**
   * Opens (creating) the peer's directory and loads what is within retention,
   * with the local history's segment store (src/storage/): the same repair,
   * and damaged or misplaced files moved aside, never deleted. A symlink
   * where `peers/` or `peers/<id>/` belongs is moved aside, never followed.
   * Problems go to onNote; only a directory that cannot be made is an error.
   */
  static async open(opts: PeerStoreOptions & { dir: string }): Promise<OpenPeerStoreResult> {
    const note = opts.onNote ?? (() => undefined);
    const onNote = (n: StoreNote): void => note(n.file !== undefined ? `${n.file}: ${n.message}` : n.message);
    try {
      // The `peers` folder is ours too (see peerDir); any other parent is the caller's.
      if (basename(dirname(opts.dir)) === 'peers') await ensureDataDirectory(dirname(opts.dir), (m, f) => note(`${f}: ${m}`));
      await ensureDataDirectory(opts.dir, (m, f) => note(`${f}: ${m}`));
    } catch (e) {
      return { ok: false, error: `cannot create ${opts.dir} (${errorText(e)})` };
    }
    let segments: SegmentPair;
    try {
      const listing = await listForOpen(opts.dir, onNote);
      segments = await loadSegmentPair({ dir: opts.dir, retentionDays: opts.retentionDays, now: opts.now, policy: 'batch', onNote }, listing);
    } catch (e) {
      return { ok: false, error: `cannot read ${opts.dir} (${errorText(e)})` };
    }
    const store = new PeerStore(opts, segments);
    await store.#loadMeta(opts.dir);
    return { ok: true, store };
  }

  get meta(): Readonly<PeerMeta> {
    return this.#meta;
  }

  /** The last write error not yet recovered from by a later successful write. */
  get lastWriteError(): string | undefined {
    return this.#lastWriteError;
  }

  /** Time (ms) of the newest status sample held. */
  lastStatusTime(): number | undefined {
    return this.status.lastTime();
  }

  /** Time (ms) of the newest probe sample held. */
  lastConnectivityTime(): number | undefined {
    return this.connectivity.lastTime();
  }

  /**
   * Adds the samples newer than the newest one held (older ones are already
   * here, or came from a peer whose clock went back), replaces the meta, and
   * queues the disk writes (one fdatasync per day and file: the batch policy).
   * Returns how many samples were added.
   */
  add(status: readonly StatusEntry[], connectivity: readonly ConnectivityStatus[], meta: PeerMeta): { status: number; connectivity: number } {
    const cutoff = this.#now() - this.#retentionMs;
    const newStatus = this.#appendNewer(status, (e) => parseTime(e.timestamp), this.status.lastTime(), cutoff, (e) => this.status.append(e));
    const newConn = this.#appendNewer(connectivity, (c) => parseTime(c.checked_at), this.connectivity.lastTime(), cutoff, (c) => this.connectivity.append(c));
    this.#write(this.#forDisk(newStatus.map((e) => parseTime(e.timestamp)), (i) => newStatus[i]!), newConn, meta);
    return { status: newStatus.length, connectivity: newConn.length };
  }

  /**
   * As {@link add} for a history page, in either form: entries (JSON), or
   * the status samples as columns (the compact form), appended without an
   * object per check.
   */
  addPage(page: { history: readonly StatusEntry[]; connectivity: readonly ConnectivityStatus[]; columns?: SampleColumns }, meta: PeerMeta): { status: number; connectivity: number } {
    if (page.columns === undefined) return this.add(page.history, page.connectivity, meta);
    const cutoff = this.#now() - this.#retentionMs;
    const fresh = columnsAfter(page.columns, this.status.lastTime() ?? -Infinity, cutoff);
    if (fresh.times.length > 0) this.status.appendColumns(fresh);
    const newConn = this.#appendNewer(page.connectivity, (c) => parseTime(c.checked_at), this.connectivity.lastTime(), cutoff, (c) => this.connectivity.append(c));
    const times = fresh.times;
    this.#write(this.#forDisk(times, (i) => this.status.entries(times[i]!, times[i]!, 1)[0]!), newConn, meta);
    return { status: times.length, connectivity: newConn.length };
  }

  /**
   * The status records to give writeBatch for samples just added (times
   * oldest first): today's and later ones whole (their lines are appended),
   * one per earlier day (that day's compact file is rewritten from memory,
   * so its lines would only be serialised to be thrown away).
   */
  #forDisk(times: ArrayLike<number>, entry: (i: number) => StatusEntry): StatusEntry[] {
    const today = dayStart(this.#now());
    const out: StatusEntry[] = [];
    let lastDay = NaN;
    for (let i = 0; i < times.length; i++) {
      const day = dayStart(times[i]!);
      if (day < today && day === lastDay) continue;
      lastDay = day;
      out.push(entry(i));
    }
    return out;
  }

  /** Replaces the meta and queues the disk writes: the batch policy, one fdatasync per day and file. */
  #write(newStatus: readonly StatusEntry[], newConn: readonly ConnectivityStatus[], meta: PeerMeta): void {
    this.#meta = { ...meta };
    const segments = this.#segments;
    if (segments === undefined || this.#dir === undefined) return;
    const dir = this.#dir;
    const snapshotMeta = this.#meta;
    this.#enqueue(async () => {
      for (const r of [await segments.status.writeBatch(newStatus), await segments.connectivity.writeBatch(newConn)]) {
        if (!r.ok) throw new Error(r.error);
      }
      await writeDurably(join(dir, META_FILE), `${JSON.stringify(snapshotMeta)}\n`, (m, f) => this.#note(`${f}: ${m}`));
    });
  }

  /** Forgets everything (the peer is now another node), in memory and on disk. */
  reset(): void {
    this.status.pruneBefore(Infinity);
    this.connectivity.pruneBefore(Infinity);
    this.#meta = {};
    const segments = this.#segments;
    if (segments === undefined || this.#dir === undefined) return;
    const dir = this.#dir;
    this.#enqueue(async () => {
      await segments.status.removeAll();
      await segments.connectivity.removeAll();
      await unlink(join(dir, META_FILE)).catch(() => undefined);
    });
  }

  /** Drops samples past retention from memory, and their files from disk. */
  prune(): void {
    const nowMs = this.#now();
    this.status.pruneBefore(nowMs - this.#retentionMs);
    this.connectivity.pruneBefore(nowMs - this.#retentionMs);
    const segments = this.#segments;
    if (segments === undefined) return;
    this.#enqueue(async () => {
      await segments.status.prune(nowMs);
      await segments.connectivity.prune(nowMs);
    });
  }

  /** Resolves when every queued write has been attempted. */
  async flushed(): Promise<void> {
    await this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.#segments !== undefined) await Promise.all([this.#segments.status.close(), this.#segments.connectivity.close()]);
  }

  #appendNewer<T>(items: readonly T[], timeOf: (x: T) => number, last: number | undefined, cutoff: number, append: (x: T) => boolean): T[] {
    const added: T[] = [];
    let newest = last ?? -Infinity;
    for (const x of items) {
      const t = timeOf(x);
      // Items come oldest first; anything not newer than what is held is a repeat.
      if (!(t > newest) || t < cutoff) continue;
      if (append(x)) {
        added.push(x);
        newest = t;
      }
    }
    return added;
  }

  #enqueue(task: () => Promise<void>): void {
    const run = this.#queue.then(task).then(
      () => {
        this.#lastWriteError = undefined;
      },
      (e: unknown) => {
        this.#lastWriteError = errorText(e);
        this.#note(`cannot write peer history in ${this.#dir ?? ''}: ${this.#lastWriteError}`);
      },
    );
    this.#queue = run;
  }

  async #loadMeta(dir: string): Promise<void> {
    const path = join(dir, META_FILE);
    let text: string;
    try {
      const h = await openDataFile(path, 'read', (m, f) => this.#note(`${f}: ${m}`));
      try {
        if ((await h.stat()).size > MAX_META_BYTES) return this.#note(`${path} is over ${MAX_META_BYTES} bytes; ignored`);
        text = await h.readFile('utf8');
      } finally {
        await h.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.#note(`cannot read ${path}: ${errorText(e)}`);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.#note(`${path} is not JSON; ignored`);
    }
    const r = v.safeParse(metaSchema, raw);
    if (!r.success) return this.#note(`${path} has an unexpected shape; ignored`);
    const m: PeerMeta = {};
    if (r.output.node !== undefined) m.node = r.output.node;
    if (r.output.status !== undefined) m.status = r.output.status;
    if (r.output.connectivity !== undefined) m.connectivity = r.output.connectivity;
    if (r.output.targets !== undefined) m.targets = r.output.targets;
    if (r.output.last_success_at !== undefined) m.last_success_at = r.output.last_success_at;
    this.#meta = m;
  }
}

/** `<data_directory>/peers/<peer-id>`: peer ids are limited to [A-Za-z0-9_.:-] by the config (and are never "." or ".."). */
export function peerDir(dataDirectory: string, peerId: string): string {
  return join(dataDirectory, 'peers', peerId);
}
