/**
 * Keeps every enabled peer's data fresh in the background and answers
 * /api/cluster's peer part from what is cached, never waiting on a peer.
 *
 * Each peer is refreshed every max(peer_refresh_seconds, 15) s on its own
 * schedule (a hung peer delays nobody else), at most `concurrency` requests
 * at once, the first time right at start. A failed refresh keeps the last
 * good data, marked stale, with the error, when it last succeeded and how
 * many refreshes in a row failed.
 *
 * This file is the scheduling and the wiring; the parts are: poller-open.ts
 * (loading the copies), refresh.ts (one refresh and its effects),
 * peer-state.ts (the pure transitions), peer-snapshot.ts (rendering).
 */
import { createPeriodic, type Periodic } from '../checks/periodic.js';
import type { Config, PeerConfig } from '../config/types.js';
import { createLimiter, type Limiter } from '../limiter.js';
import type { Logger } from '../log.js';
import type { PeerSnapshot, PeerView, RangeName } from '../types.js';
import type { PeerClient } from './client.js';
import { inThreadDecoder, type PeerDecoder } from './decode-pool.js';
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './limits.js';
import { isUp } from './peer-state.js';
import { renderPeerSnapshot, renderPeerSync, type RenderContext } from './peer-snapshot.js';
import { rowsVersion, syncVersion } from './peer-version.js';
import { openPeers, unloadedPeer } from './poller-open.js';
import { refreshPeer, type RefreshContext } from './refresh.js';
import type { TrackedPeer } from './tracked-peer.js';

/** The floor of the refresh interval, as the original's. */
export const MIN_REFRESH_MS = 15_000;
/** Peer requests at the same time. */
export const DEFAULT_CONCURRENCY = 4;

export interface PeerPollerOptions {
  config: Pick<Config, 'node_id' | 'interval_minutes' | 'peers' | 'peer_refresh_seconds' | 'data_directory' | 'retention_days'>;
  client: PeerClient;
  log: Logger;
  now?: () => number;
  /** Keep peer history under `<data_directory>/peers/<id>/` (default true). */
  persist?: boolean;
  /** Floor of the refresh interval (default 15 s). */
  minRefreshMs?: number;
  /** Requests in flight at once (default 4); ignored when `limiter` is given. */
  concurrency?: number;
  /** The limiter peer requests share (default: one of `concurrency` slots, this poller's own). */
  limiter?: Limiter;
  /** JSON per history page from a node of ours (default 16 MiB); tests make it small. */
  pageBytes?: number;
  /** Checks per compact page (default 2,000,000); tests make it small. */
  compactPageChecks?: number;
  /** Ask the nodes of ours that announce `cols` for the compact page form (default true; false: always JSON). */
  compactWire?: boolean;
  /** Told of every refresh's outcome (incidents: "a peer stops syncing"). */
  onRefresh?: (peer: PeerConfig, ok: boolean, error: string | undefined, atMs: number) => void;
  /** Decodes peer bodies (default: on this thread); the daemon passes its pool (decode-pool.ts). stop() closes it. */
  decoder?: PeerDecoder;
  /** Bounds on what a peer may send (default DEFAULT_PEER_LIMITS; two are config keys). */
  limits?: PeerLimits;
}

export interface PeerPoller {
  /** Loads the peers' persisted history; start() does it too when not done. */
  open(): Promise<void>;
  /** Starts refreshing (the first round at once, in the background). */
  start(): void;
  /** Stops scheduling, aborts requests in flight, and waits for the peers' files to be written. */
  stop(): Promise<void>;
  /** Enabled peers in config order, from cache. */
  snapshots(range: RangeName): PeerSnapshot[];
  /** Enabled peers in config order, each with its versions; a snapshot is rendered only when asked (peer-version.ts). */
  views(): PeerView[];
  /** Each enabled peer's sync state, cheap (no history is read): for metrics. */
  states(): Array<{ id: string; name: string; up: boolean; lastSuccessAt?: number; consecutiveFailures: number }>;
  /** Refreshes every enabled peer now and resolves when all are done. */
  refreshAll(): Promise<void>;
  /** The refresh interval in use. */
  readonly refreshMs: number;
}

/** One periodic refresh per peer, each on its own schedule (a hung peer delays nobody else), started at once. */
function schedule(peers: readonly TrackedPeer[], intervalMs: number, refresh: (t: TrackedPeer) => Promise<void>, log: Logger, now: () => number): Periodic[] {
  const tasks = peers.map((t) =>
    createPeriodic({
      intervalMs,
      run: () => refresh(t),
      onError: (e) => log.error(`peer ${t.peer.id}: refresh failed unexpectedly: ${String(e)}`),
      now,
    }),
  );
  for (const task of tasks) task.start();
  return tasks;
}

/** What metrics show of a peer's sync. */
function syncState(t: TrackedPeer): ReturnType<PeerPoller['states']>[number] {
  return {
    id: t.peer.id,
    name: t.peer.name,
    up: isUp(t.record),
    ...(t.record.lastSuccessAt !== undefined ? { lastSuccessAt: t.record.lastSuccessAt } : {}),
    consecutiveFailures: t.record.failures,
  };
}

/** A peer's view: versions read now, its snapshot and sync fields rendered when asked. */
function viewOf(t: TrackedPeer, index: number, ownIntervalMs: number, at: () => RenderContext): PeerView {
  const rows = rowsVersion(t, ownIntervalMs);
  return {
    id: t.peer.id,
    key: `${index}:${t.peer.id}`,
    rowsVersion: rows,
    version: `${rows}|${syncVersion(t)}`,
    snapshot: (range) => renderPeerSnapshot(t, range, at()),
    sync: () => renderPeerSync(t, at()),
  };
}

/** The keys of `o` that are set (exactOptionalPropertyTypes: an absent option stays absent). */
function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The poller of `opts.config.peers`; nothing runs before open() or start(). */
export function createPeerPoller(opts: PeerPollerOptions): PeerPoller {
  const { config, client, log } = opts;
  const now = opts.now ?? Date.now;
  const decoder = opts.decoder ?? inThreadDecoder;
  const limits = opts.limits ?? DEFAULT_PEER_LIMITS;
  const ownIntervalMs = Math.round(config.interval_minutes * 60_000);
  const refreshMs = Math.max(config.peer_refresh_seconds * 1000, opts.minRefreshMs ?? MIN_REFRESH_MS);
  const enabled = config.peers.filter((p) => p.enabled);
  const abort = new AbortController();
  const startedAt = now();
  let peers: TrackedPeer[] = [];
  let opening: Promise<void> | undefined;
  let tasks: Periodic[] = [];

  const open = (): Promise<void> => {
    opening ??= openPeers({
      peers: enabled, dataDirectory: config.data_directory, retentionDays: config.retention_days,
      persist: opts.persist !== false, decoder, limits, log, now,
    }).then((loaded) => {
      peers = loaded;
    });
    return opening;
  };

  const ctx: RefreshContext = {
    ownId: config.node_id,
    ownIntervalMs,
    client,
    decoder,
    limits,
    slots: opts.limiter ?? createLimiter(opts.concurrency ?? DEFAULT_CONCURRENCY),
    log,
    now,
    signal: abort.signal,
    identities: () => peers.map((t) => ({ id: t.peer.id, ...(t.record.reportedId !== undefined ? { reportedId: t.record.reportedId } : {}) })),
    ...pick(opts, 'pageBytes', 'compactPageChecks', 'onRefresh'),
    ...(opts.compactWire !== undefined ? { compact: opts.compactWire } : {}),
  };
  const refresh = (t: TrackedPeer) => refreshPeer(ctx, t);
  // Before open() has loaded anything, every enabled peer still shows, without data.
  const shown = (): TrackedPeer[] => (peers.length === 0 && enabled.length > 0 ? enabled.map((p) => unloadedPeer(p, config.retention_days, now)) : peers);

  return {
    open,
    refreshMs,
    async refreshAll() {
      await open();
      await Promise.all(peers.map(refresh));
    },
    start() {
      if (tasks.length > 0 || abort.signal.aborted) return;
      void open().then(() => {
        if (!abort.signal.aborted) tasks = schedule(peers, refreshMs, refresh, log, now);
      });
    },
    async stop() {
      abort.abort();
      await Promise.all(tasks.map((t) => t.stop()));
      if (opening !== undefined) await opening;
      await Promise.all(peers.map((t) => t.store.close()));
      client.close();
      await decoder.close();
    },
    states() {
      return peers.map(syncState);
    },
    snapshots(range) {
      const at = { nowMs: now(), startedAt, ownIntervalMs };
      return shown().map((t) => renderPeerSnapshot(t, range, at));
    },
    views() {
      const at = () => ({ nowMs: now(), startedAt, ownIntervalMs });
      return shown().map((t, i) => viewOf(t, i, ownIntervalMs, at));
    },
  };
}
