/**
 * The local node's history as the daemon uses it: the file store plus the
 * queries the API answers from memory, with store notes sent to the log.
 */
import type { Logger } from '../log.js';
import type { HistoryQueries } from '../views/history-queries.js';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import { createLogQueries } from '../views/log-queries.js';
import { FileStore, type StoreNote, type WriteResult } from './file-store.js';

export interface History extends HistoryQueries {
  /** Stores a sample (memory at once, disk queued); failures are values, the sample stays in memory. */
  appendStatus(entry: StatusEntry): Promise<WriteResult>;
  appendConnectivity(sample: ConnectivityStatus): Promise<WriteResult>;
  /** Retention: drops old samples from memory and old segment files from disk (removed files are logged). */
  prune(): Promise<void>;
  /** Lines not yet on disk because writes failed. */
  pendingWrites(): number;
  /** The write error not yet recovered from, if any. */
  lastWriteError(): string | undefined;
  /** Flushes and closes the files. */
  close(): Promise<void>;
  /** The underlying store (logs, counters), for diagnostics and tests. */
  readonly store: FileStore;
}

export interface OpenHistoryOptions {
  dir: string;
  retentionDays: number;
  now: () => number;
  log: Logger;
  maxPendingBytes?: number;
  /** Monotonic clock guarding retention against wall-clock jumps (default performance.now; see FileStoreOptions.monotonic). */
  monotonic?: () => number;
}

function logNote(log: Logger, note: StoreNote): void {
  const text = `history: ${note.file !== undefined ? `${note.file}: ` : ''}${note.message}`;
  log[note.level](text);
}

/** Opens the data directory (see FileStore.open); an unusable directory is the only error. */
export async function openHistory(opts: OpenHistoryOptions): Promise<{ ok: true; value: History } | { ok: false; error: string }> {
  const { log } = opts;
  const opened = await FileStore.open({
    dir: opts.dir,
    retentionDays: opts.retentionDays,
    now: opts.now,
    onNote: (note) => logNote(log, note),
    monotonic: opts.monotonic ?? (() => performance.now()),
    ...(opts.maxPendingBytes !== undefined ? { maxPendingBytes: opts.maxPendingBytes } : {}),
  });
  if (!opened.ok) return opened;
  const { store, report } = opened;
  for (const note of report.notes) logNote(log, note);
  const queries = createLogQueries(store.status, store.connectivity);
  return {
    ok: true,
    value: {
      ...queries,
      store,
      appendStatus: (entry) => store.appendStatus(entry),
      appendConnectivity: (sample) => store.appendConnectivity(sample),
      prune: async () => {
        const r = await store.prune();
        for (const f of r.removedFiles) log.info(`history: removed segment past retention: ${f}`);
      },
      pendingWrites: () => store.pendingCount,
      lastWriteError: () => store.lastWriteError,
      close: async () => {
        const r = await store.close();
        if (!r.ok) log.error(`history: not all samples reached the disk before exit: ${r.error}`);
      },
    },
  };
}
