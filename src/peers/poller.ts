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
import type { PeerSnapshot, RangeName } from '../types.js';
import type { PeerClient } from './client.js';
import { inThreadDecoder, type PeerDecoder } from './decode-pool.js';
import { DEFAULT_PEER_LIMITS, type PeerLimits } from './limits.js';
import { isUp } from './peer-state.js';
import { renderPeerSnapshot } from './peer-snapshot.js';
import { openPeers, unloadedPeer } from './poller-open.js';
import { createRefresher } from './refresh.js';
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
  /** Each enabled peer's sync state, cheap (no history is read): for metrics. */
  states(): Array<{ id: string; name: string; up: boolean; lastSuccessAt?: number; consecutiveFailures: number }>;
  /** Refreshes every enabled peer now and resolves when all are done. */
  refreshAll(): Promise<void>;
  /** The refresh interval in use. */
  readonly refreshMs: number;
}

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

  const refresh = createRefresher({
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
    ...(opts.pageBytes !== undefined ? { pageBytes: opts.pageBytes } : {}),
    ...(opts.compactWire !== undefined ? { compact: opts.compactWire } : {}),
    ...(opts.compactPageChecks !== undefined ? { compactPageChecks: opts.compactPageChecks } : {}),
    ...(opts.onRefresh !== undefined ? { onRefresh: opts.onRefresh } : {}),
  });

  const schedule = (): void => {
    if (abort.signal.aborted) return;
    tasks = peers.map((t) =>
      createPeriodic({
        intervalMs: refreshMs,
        run: () => refresh(t),
        onError: (e) => log.error(`peer ${t.peer.id}: refresh failed unexpectedly: ${String(e)}`),
        now,
      }),
    );
    for (const task of tasks) task.start();
  };

  return {
    open,
    refreshMs,
    async refreshAll() {
      await open();
      await Promise.all(peers.map(refresh));
    },
    start() {
      if (tasks.length > 0 || abort.signal.aborted) return;
      void open().then(schedule);
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
      return peers.map((t) => ({
        id: t.peer.id,
        name: t.peer.name,
        up: isUp(t.record),
        ...(t.record.lastSuccessAt !== undefined ? { lastSuccessAt: t.record.lastSuccessAt } : {}),
        consecutiveFailures: t.record.failures,
      }));
    },
    snapshots(range) {
      const ctx = { nowMs: now(), startedAt, ownIntervalMs };
      // Before open() has loaded anything, every enabled peer still shows, without data.
      const shown = peers.length === 0 && enabled.length > 0 ? enabled.map((p) => unloadedPeer(p, config.retention_days, now)) : peers;
      return shown.map((t) => renderPeerSnapshot(t, range, ctx));
    },
  };
}
