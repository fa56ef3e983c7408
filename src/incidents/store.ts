/**
 * Incidents on disk: `incidents.jsonl` in the data directory, one change per
 * line (`{"event":"open"|"update"|"resolve","incident":{...}}`), appended with
 * fdatasync; the last line of an id wins. Loaded on start, so an incident
 * open when the daemon stopped is open again after it starts.
 *
 * Bounded like the history: resolved incidents that ended more than
 * `retentionDays` ago are dropped, and at most `maxResolved` resolved ones are
 * kept (the newest). The file is rewritten without dropped and superseded
 * lines at start and whenever it has grown well past what it holds.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { scanJsonlFile } from '../storage/jsonl.js';
import type { Logger } from '../log.js';
import { AffectedUnitSchema, StoredIncidentSchema } from './schema.js';
import type { IncidentChange, StoredIncident } from './types.js';
import { appendDurably, writeDurably } from '../storage/durable.js';
import { setAsideIfHostile } from '../storage/safe-fs.js';

export const INCIDENTS_FILE = 'incidents.jsonl';
/** Resolved incidents kept at most (oldest dropped first): a flapping unit must not fill memory. */
export const DEFAULT_MAX_RESOLVED = 20_000;
/** Lines kept for retry after failed writes; past it the oldest are dropped (the state in memory is still right). */
const MAX_PENDING_LINES = 10_000;
/** Units one host incident may list in the file: far above any real config, a bound on a damaged or hostile line. */
const MAX_UNITS = 100_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface IncidentStoreOptions {
  /** The data directory (created when missing). */
  dir: string;
  retentionDays: number;
  now: () => number;
  log: Logger;
  maxResolved?: number;
}

export interface IncidentStore {
  /** The latest version of every incident kept. */
  all(): Iterable<StoredIncident>;
  /** The open ones. */
  openIncidents(): StoredIncident[];
  /**
   * Applies a change in memory at once and queues its line for the disk.
   * Never throws: a failed write is logged and retried before the next one.
   */
  record(change: IncidentChange): void;
  /** Drops what is past retention or over the cap, and rewrites the file when that or superseded lines make it worth it. */
  prune(): Promise<void>;
  /** Resolves when every queued line has been tried. */
  flush(): Promise<void>;
  /** Flushes; logs when lines could not be written. */
  close(): Promise<void>;
  /** The write error not yet recovered from. */
  lastWriteError(): string | undefined;
}

/**
 * A line of the file: the wire schema's fields (schema.ts), read leniently
 * (unknown keys dropped, so a newer version's lines still load) and bounded.
 */
const lineSchema = v.object({
  event: v.picklist(['open', 'update', 'resolve']),
  incident: v.object({
    ...StoredIncidentSchema.entries,
    units: v.exactOptional(v.pipe(v.array(AffectedUnitSchema), v.maxLength(MAX_UNITS))),
  }),
});

function accept(value: unknown): IncidentChange | string {
  const r = v.safeParse(lineSchema, value);
  if (!r.success) return `not an incident record (${r.issues[0]?.message ?? 'invalid'})`;
  return { type: r.output.event, incident: r.output.incident };
}

function lineOf(change: IncidentChange): string {
  return `${JSON.stringify({ event: change.type, incident: change.incident })}\n`;
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code !== undefined ? `${code}: ${(e as Error).message}` : e instanceof Error ? e.message : String(e);
}

/** The incidents of the file (the last line of each id), and how many lines it has. */
async function loadIncidents(path: string, log: Logger): Promise<{ byId: Map<string, StoredIncident>; lines: number }> {
  const byId = new Map<string, StoredIncident>();
  // A link planted where the file belongs is moved aside, never followed (appends open it with O_NOFOLLOW too).
  await setAsideIfHostile(path, (message, file) => log.warn(`incidents: ${file}: ${message}`));
  const exists = await stat(path).then(() => true, (e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return false;
    throw e;
  });
  if (!exists) return { byId, lines: 0 };
  const scan = await scanJsonlFile(path, accept, (c) => {
    byId.set(c.incident.id, c.incident);
  });
  if (scan.bad.length > 0) {
    const first = scan.bad[0]!;
    log.warn(`incidents: ${path}: skipped ${scan.bad.length} unreadable line(s), the first at byte ${first.offset} (${first.reason})`);
  }
  return { byId, lines: scan.count + scan.bad.length };
}

/** Drops resolved incidents that ended before `cutoff`, then the oldest past `maxResolved`; true when any was dropped. */
function dropOld(byId: Map<string, StoredIncident>, cutoff: number, maxResolved: number): boolean {
  const resolved: StoredIncident[] = [];
  let dropped = false;
  for (const inc of byId.values()) {
    if (inc.ended_at === undefined) continue;
    if (Date.parse(inc.ended_at) < cutoff) {
      byId.delete(inc.id);
      dropped = true;
    } else resolved.push(inc);
  }
  if (resolved.length > maxResolved) {
    resolved.sort((a, b) => Date.parse(a.ended_at ?? '') - Date.parse(b.ended_at ?? ''));
    for (const inc of resolved.slice(0, resolved.length - maxResolved)) byId.delete(inc.id);
    dropped = true;
  }
  return dropped;
}

/**
 * The store over its file: the incidents in memory, the lines waiting for the
 * disk, and one chain of writes so appends and rewrites never interleave.
 */
class FileIncidentStore implements IncidentStore {
  private pending: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private writeError: string | undefined;
  private lastPruneAt: number;
  private pruning: Promise<void> | undefined;

  constructor(
    private readonly opts: IncidentStoreOptions,
    private readonly path: string,
    private readonly byId: Map<string, StoredIncident>,
    /** Lines in the file, superseded ones included. */
    private fileLines: number,
  ) {
    this.lastPruneAt = opts.now();
  }

  all(): Iterable<StoredIncident> {
    return this.byId.values();
  }

  openIncidents(): StoredIncident[] {
    return [...this.byId.values()].filter((i) => i.ended_at === undefined);
  }

  record(change: IncidentChange): void {
    this.byId.set(change.incident.id, change.incident);
    this.pending.push(lineOf(change));
    if (this.pending.length > MAX_PENDING_LINES) {
      this.opts.log.error(`incidents: ${this.pending.length - MAX_PENDING_LINES} unwritten change(s) dropped from the retry buffer`);
      this.pending = this.pending.slice(this.pending.length - MAX_PENDING_LINES);
    }
    void this.writePending();
    if (this.opts.now() - this.lastPruneAt >= PRUNE_EVERY_MS || this.fileLines > 2 * this.byId.size + 1000) void this.prune();
  }

  prune(): Promise<void> {
    this.pruning ??= (async () => {
      this.lastPruneAt = this.opts.now();
      const dropped = dropOld(this.byId, this.opts.now() - this.opts.retentionDays * DAY_MS, this.opts.maxResolved ?? DEFAULT_MAX_RESOLVED);
      if (dropped || this.fileLines > 2 * this.byId.size + 100) await this.rewrite();
    })().finally(() => {
      this.pruning = undefined;
    });
    return this.pruning;
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.pruning !== undefined) await this.pruning;
    await this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.pending.length > 0) {
      this.opts.log.error(`incidents: ${this.pending.length} change(s) could not be written to ${this.path}: ${this.writeError ?? 'unknown error'}`);
    }
  }

  lastWriteError(): string | undefined {
    return this.writeError;
  }

  private failed(what: string, e: unknown): void {
    const message = describe(e);
    if (this.writeError === undefined) this.opts.log.error(`incidents: ${what} ${this.path} failed (kept in memory, retried with the next change): ${message}`);
    this.writeError = message;
  }

  private recovered(): void {
    if (this.writeError !== undefined) this.opts.log.info('incidents: writing recovered');
    this.writeError = undefined;
  }

  /** Queued after everything before it, so appends and rewrites never interleave. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task, task);
    return this.chain;
  }

  private writePending(): Promise<void> {
    return this.enqueue(async () => {
      if (this.pending.length === 0) return;
      const count = this.pending.length;
      try {
        await appendDurably(this.path, this.pending.join(''));
        this.pending = this.pending.slice(count);
        this.fileLines += count;
        this.recovered();
      } catch (e) {
        this.failed('appending to', e);
      }
    });
  }

  private rewrite(): Promise<void> {
    return this.enqueue(async () => {
      const snapshot = [...this.byId.values()];
      // Changes recorded while the file is being written are not in the snapshot: keep them pending.
      const covered = this.pending.length;
      const text = snapshot.map((incident) => lineOf({ type: incident.ended_at === undefined ? 'open' : 'resolve', incident })).join('');
      try {
        await writeDurably(this.path, text);
        // The rewrite holds everything that was in memory when it started, the lines then pending included.
        this.pending = this.pending.slice(covered);
        this.fileLines = snapshot.length;
        this.recovered();
      } catch (e) {
        this.failed('rewriting', e);
      }
    });
  }
}

/** Opens (or creates) the store in `dir`. An unreadable file is the only error; damaged lines are skipped and logged. */
export async function openIncidentStore(opts: IncidentStoreOptions): Promise<{ ok: true; value: IncidentStore } | { ok: false; error: string }> {
  const path = join(opts.dir, INCIDENTS_FILE);
  let loaded: { byId: Map<string, StoredIncident>; lines: number };
  try {
    await mkdir(opts.dir, { recursive: true });
    loaded = await loadIncidents(path, opts.log);
  } catch (e) {
    return { ok: false, error: `cannot read ${path} (${describe(e)})` };
  }
  const store = new FileIncidentStore(opts, path, loaded.byId, loaded.lines);
  await store.prune();
  return { ok: true, value: store };
}
