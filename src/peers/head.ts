/**
 * The newest entries of a peer that is far behind (nothing held, or what is
 * held ends more than a day before its latest sample): read first, kept in
 * memory apart from the peer's store while the older days are read forward
 * into it, and shown meanwhile (the peer is `syncing`). Once the store
 * reaches them they join it and the head is dropped.
 */
import { ConnectivityLog } from '../history/connectivity-log.js';
import { SampleLog, type SampleColumns } from '../history/sample-log.js';
import type { HistoryQueries } from '../views/history-queries.js';
import type { ConnectivityStatus, StatusEntry } from '../types.js';
import { createLogQueries } from '../views/log-queries.js';
import { columnsAfter } from './page-columns.js';
import type { PullCursor } from './sync.js';

/** The newest times held in a pair of logs, as a pull cursor. */
export function cursorOf(status: SampleLog, connectivity: ConnectivityLog): PullCursor {
  const s = status.lastTime();
  const c = connectivity.lastTime();
  return { ...(s !== undefined ? { lastStatusMs: s } : {}), ...(c !== undefined ? { lastConnectivityMs: c } : {}) };
}

export class PeerHead {
  readonly status = new SampleLog();
  readonly connectivity = new ConnectivityLog();
  readonly queries: HistoryQueries = createLogQueries(this.status, this.connectivity);

  /** Adds the entries newer than those held (a refresh of the head asks from its own cursor, with some overlap). */
  add(history: readonly StatusEntry[], connectivity: readonly ConnectivityStatus[]): void {
    const lastS = this.status.lastTime() ?? -Infinity;
    for (const e of history) if (Date.parse(e.timestamp) > lastS) this.status.append(e);
    const lastC = this.connectivity.lastTime() ?? -Infinity;
    for (const c of connectivity) if (Date.parse(c.checked_at) > lastC) this.connectivity.append(c);
  }

  /** As {@link add} for a history page in either form (entries, or the compact form's columns). */
  addPage(page: { history: readonly StatusEntry[]; connectivity: readonly ConnectivityStatus[]; columns?: SampleColumns }): void {
    if (page.columns === undefined) return this.add(page.history, page.connectivity);
    const fresh = columnsAfter(page.columns, this.status.lastTime() ?? -Infinity);
    if (fresh.times.length > 0) this.status.appendColumns(fresh);
    this.add([], page.connectivity);
  }

  cursor(): PullCursor {
    return cursorOf(this.status, this.connectivity);
  }

  /** True once the store's newest status sample (`storeLastMs`) reaches the head's oldest, or the peer said it has no more. */
  reachedBy(storeLastMs: number | undefined, more: boolean): boolean {
    const first = this.status.firstTime();
    return !more || (storeLastMs !== undefined && first !== undefined && storeLastMs >= first);
  }

  /** Everything held, oldest first, for the store to take. */
  entries(): { status: StatusEntry[]; connectivity: ConnectivityStatus[] } {
    return { status: this.status.entries(-Infinity, Infinity), connectivity: this.connectivity.entries(-Infinity, Infinity) };
  }
}
