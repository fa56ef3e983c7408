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
 * sample; a write failure is reported and the data stays in memory.
 */
import { appendFile, mkdir, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { decodeConnectivity, decodeStatus, encodeConnectivity, encodeStatus } from '../history/columnar.js';
import { ConnectivityLog } from '../history/connectivity-log.js';
import { scanJsonlFile, type JsonlScan } from '../history/jsonl.js';
import { acceptConnectivity, acceptStatusEntry } from '../history/records.js';
import { SampleLog } from '../history/sample-log.js';
import { listSegments, segmentName, type SegmentKind } from '../history/segments.js';
import { DAY_MS, dayStart, parseTime } from '../history/time.js';
import type { ConnectivityStatus, StatusEntry, Target } from '../types.js';
import { connectivitySchema, nodeInfoSchema, statusEntrySchema, targetSchema, type PeerNodeInfo } from './schema.js';
import { appendDurably, writeDurably } from '../history/durable.js';

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

/** See the module comment. Create with {@link PeerStore.open}. */
export class PeerStore {
  readonly status = new SampleLog();
  readonly connectivity = new ConnectivityLog();
  #meta: PeerMeta = {};
  readonly #dir: string | undefined;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #note: (message: string) => void;
  /** Days with a JSON Lines file, per kind: the open day, and closed days not yet compacted. */
  readonly #jsonlDays: Record<SegmentKind, Set<number>> = { status: new Set(), connectivity: new Set() };
  #queue: Promise<unknown> = Promise.resolve();
  #lastWriteError: string | undefined;

  private constructor(opts: PeerStoreOptions) {
    this.#dir = opts.dir;
    this.#retentionMs = opts.retentionDays * DAY_MS;
    this.#now = opts.now;
    this.#note = opts.onNote ?? (() => undefined);
  }

  /** A store without files (tests, or a peer that should not be persisted). */
  static memory(opts: Omit<PeerStoreOptions, 'dir'>): PeerStore {
    return new PeerStore(opts);
  }

  /**
   * Opens (creating) the peer's directory and loads what is within retention.
   * Damaged files are reported through onNote and skipped; only a directory
   * that cannot be created is an error.
   */
  static async open(opts: PeerStoreOptions & { dir: string }): Promise<OpenPeerStoreResult> {
    const store = new PeerStore(opts);
    try {
      await mkdir(opts.dir, { recursive: true });
    } catch (e) {
      return { ok: false, error: `cannot create ${opts.dir} (${errorText(e)})` };
    }
    await store.#load(opts.dir);
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
   * queues the disk writes. Returns how many samples were added.
   */
  add(status: readonly StatusEntry[], connectivity: readonly ConnectivityStatus[], meta: PeerMeta): { status: number; connectivity: number } {
    const cutoff = this.#now() - this.#retentionMs;
    const newStatus = this.#appendNewer(status, (e) => parseTime(e.timestamp), this.status.lastTime(), cutoff, (e) => this.status.append(e));
    const newConn = this.#appendNewer(connectivity, (c) => parseTime(c.checked_at), this.connectivity.lastTime(), cutoff, (c) => this.connectivity.append(c));
    this.#meta = { ...meta };
    if (this.#dir !== undefined) {
      const dir = this.#dir;
      const snapshotMeta = this.#meta;
      this.#enqueue(async () => {
        await this.#writeSamples(dir, 'status', newStatus, (e) => parseTime(e.timestamp));
        await this.#writeSamples(dir, 'connectivity', newConn, (c) => parseTime(c.checked_at));
        await this.#compactClosedDays(dir);
        await writeDurably(join(dir, META_FILE), `${JSON.stringify(snapshotMeta)}\n`);
      });
    }
    return { status: newStatus.length, connectivity: newConn.length };
  }

  /** Forgets everything (the peer is now another node), in memory and on disk. */
  reset(): void {
    this.status.pruneBefore(Infinity);
    this.connectivity.pruneBefore(Infinity);
    this.#meta = {};
    if (this.#dir === undefined) return;
    const dir = this.#dir;
    this.#enqueue(async () => {
      const listing = await listSegments(dir);
      for (const kind of ['status', 'connectivity'] as const) {
        for (const seg of listing[kind]) {
          for (const f of [seg.jsonl, seg.compact]) if (f !== undefined) await unlink(f).catch(() => undefined);
        }
        this.#jsonlDays[kind].clear();
      }
      await unlink(join(dir, META_FILE)).catch(() => undefined);
    });
  }

  /** Drops samples past retention from memory, and their files from disk. */
  prune(): void {
    const nowMs = this.#now();
    this.status.pruneBefore(nowMs - this.#retentionMs);
    this.connectivity.pruneBefore(nowMs - this.#retentionMs);
    if (this.#dir === undefined) return;
    const dir = this.#dir;
    this.#enqueue(async () => {
      const cutoff = dayStart(nowMs) - this.#retentionMs - DAY_MS;
      const listing = await listSegments(dir);
      for (const kind of ['status', 'connectivity'] as const) {
        for (const seg of listing[kind]) {
          if (seg.day >= cutoff) continue;
          for (const f of [seg.jsonl, seg.compact]) if (f !== undefined) await unlink(f).catch(() => undefined);
          this.#jsonlDays[kind].delete(seg.day);
        }
      }
    });
  }

  /** Resolves when every queued write has been attempted. */
  async flushed(): Promise<void> {
    await this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue;
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

  /** New samples go to their day's JSON Lines (one append per day), or into the compact file of a closed day. */
  async #writeSamples<T>(dir: string, kind: SegmentKind, items: readonly T[], timeOf: (x: T) => number): Promise<void> {
    if (items.length === 0) return;
    const today = dayStart(this.#now());
    const byDay = new Map<number, string[]>();
    for (const x of items) {
      const day = dayStart(timeOf(x));
      let lines = byDay.get(day);
      if (lines === undefined) byDay.set(day, (lines = []));
      lines.push(JSON.stringify(x));
    }
    for (const [day, lines] of byDay) {
      if (day >= today) {
        await appendDurably(join(dir, segmentName(kind, day, 'jsonl')), `${lines.join('\n')}\n`);
        this.#jsonlDays[kind].add(day);
      } else {
        await this.#writeCompact(dir, kind, day);
      }
    }
  }

  /** Writes a day's compact file from memory (which holds all of that day) and removes its JSON Lines. */
  async #writeCompact(dir: string, kind: SegmentKind, day: number): Promise<void> {
    const data = kind === 'status'
      ? encodeStatus(this.status.toColumns(day, day + DAY_MS - 1))
      : encodeConnectivity(this.connectivity.toColumns(day, day + DAY_MS - 1));
    await writeDurably(join(dir, segmentName(kind, day, 'compact')), data);
    if (this.#jsonlDays[kind].delete(day)) await unlink(join(dir, segmentName(kind, day, 'jsonl'))).catch(() => undefined);
  }

  async #compactClosedDays(dir: string): Promise<void> {
    const today = dayStart(this.#now());
    for (const kind of ['status', 'connectivity'] as const) {
      for (const day of [...this.#jsonlDays[kind]]) if (day < today) await this.#writeCompact(dir, kind, day);
    }
  }

  async #load(dir: string): Promise<void> {
    const nowMs = this.#now();
    const memCutoff = nowMs - this.#retentionMs;
    const diskCutoff = dayStart(nowMs) - this.#retentionMs - DAY_MS;
    let listing;
    try {
      listing = await listSegments(dir);
    } catch (e) {
      this.#note(`cannot list ${dir}: ${errorText(e)}`);
      return;
    }
    for (const tmp of listing.temps) await unlink(tmp).catch(() => undefined);
    for (const kind of ['status', 'connectivity'] as const) {
      for (const seg of listing[kind]) {
        if (seg.day < diskCutoff) {
          for (const f of [seg.jsonl, seg.compact]) if (f !== undefined) await unlink(f).catch(() => undefined);
          continue;
        }
        if (seg.day + DAY_MS <= memCutoff) continue;
        if (seg.compact !== undefined) {
          const buf = await readFile(seg.compact).catch(() => undefined);
          const decoded = buf === undefined ? undefined : kind === 'status' ? decodeStatus(buf) : decodeConnectivity(buf);
          if (decoded?.ok === true) {
            if (kind === 'status') this.status.appendColumns(decoded.value as ReturnType<SampleLog['toColumns']>);
            else this.connectivity.appendColumns(decoded.value as ReturnType<ConnectivityLog['toColumns']>);
            // The compact file was written from memory holding all of that day: the JSON Lines are a leftover.
            if (seg.jsonl !== undefined) await unlink(seg.jsonl).catch(() => undefined);
            continue;
          }
          this.#note(`damaged peer history file ${seg.compact} (${decoded?.error ?? 'unreadable'}); ignored, the next refresh fills what the peer still has`);
          await unlink(seg.compact).catch(() => undefined);
        }
        if (seg.jsonl === undefined) continue;
        await this.#loadJsonl(kind, seg.jsonl);
        this.#jsonlDays[kind].add(seg.day);
      }
    }
    this.status.pruneBefore(memCutoff);
    this.connectivity.pruneBefore(memCutoff);
    await this.#loadMeta(dir);
  }

  async #loadJsonl(kind: SegmentKind, path: string): Promise<void> {
    let read;
    try {
      read = kind === 'status'
        ? await scanJsonlFile(path, acceptStatusEntry, (e) => void this.status.append(e))
        : await scanJsonlFile(path, acceptConnectivity, (c) => void this.connectivity.append(c));
    } catch (e) {
      return this.#note(`cannot read peer history file ${path}: ${errorText(e)}`);
    }
    await this.#repairTail(path, read);
  }

  /** New lines must start on a line of their own: cut a torn last line (crash mid-append), end a whole one. */
  async #repairTail(path: string, read: JsonlScan): Promise<void> {
    try {
      if (read.bad.some((b) => b.tail)) await truncate(path, read.goodEnd);
      else if (read.missingNewline) await appendFile(path, '\n');
    } catch (e) {
      this.#note(`cannot repair the end of ${path}: ${errorText(e)}`);
    }
    if (read.bad.length > 0) this.#note(`peer history file ${path}: skipped ${read.bad.length} damaged line(s)`);
  }

  async #loadMeta(dir: string): Promise<void> {
    const path = join(dir, META_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
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
