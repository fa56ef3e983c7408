/**
 * Keeps every enabled peer's data fresh in the background and answers
 * /api/cluster's peer part from what is cached, never waiting on a peer.
 *
 * Each peer is refreshed every max(peer_refresh_seconds, 15) s on its own
 * schedule (a hung peer delays nobody else), at most `concurrency` at once,
 * the first time right at start. A failed refresh keeps the last good data,
 * marked stale, with the error, when it last succeeded and how many refreshes
 * in a row failed.
 */
import { createPeriodic, type Periodic } from '../checks/periodic.js';
import type { Config, PeerConfig } from '../config/types.js';
import { createLimiter } from '../limiter.js';
import type { Logger } from '../log.js';
import type { HistoryQueries } from '../views/history-queries.js';
import { buildSnapshot } from '../node/snapshot.js';
import type { NodeInfo, PeerSnapshot, RangeName } from '../types.js';
import { RANGE_MS } from '../types.js';
import { createLogQueries } from '../views/log-queries.js';
import type { PeerClient } from './client.js';
import { inThreadDecoder, type PeerDecoder } from './decode-pool.js';
import { boundText, DEFAULT_PEER_LIMITS, MAX_PEER_ERROR_CHARS, type PeerLimits } from './limits.js';
import { cursorOf, PeerHead } from './head.js';
import { checkMetaFile, futureCursor } from './meta-file.js';
import { PeerStore, peerDir, type PeerMeta } from './store.js';
import { peerIntervalMs, pullPeer, type Pulled } from './sync.js';

/** The floor of the refresh interval, as the original's. */
export const MIN_REFRESH_MS = 15_000;
/** Peers refreshed at the same time. */
export const DEFAULT_CONCURRENCY = 4;
const PRUNE_EVERY_MS = 60 * 60_000;

export interface PeerPollerOptions {
  config: Pick<Config, 'node_id' | 'interval_minutes' | 'peers' | 'peer_refresh_seconds' | 'data_directory' | 'retention_days'>;
  client: PeerClient;
  log: Logger;
  now?: () => number;
  /** Keep peer history under `<data_directory>/peers/<id>/` (default true). */
  persist?: boolean;
  /** Floor of the refresh interval (default 15 s). */
  minRefreshMs?: number;
  concurrency?: number;
  /** JSON per history page from a node of ours (default 16 MiB); tests make it small. */
  pageBytes?: number;
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

interface PeerState {
  peer: PeerConfig;
  store: PeerStore;
  queries: HistoryQueries;
  /** Succeeded since this process started and not failed since. */
  fresh: boolean;
  error?: string;
  failures: number;
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  lastPruneAt: number;
  /** The node id the peer reported in its last good refresh. */
  reportedId?: string;
  /** The peer's newest entries while its older days are read into the store: what its card shows meanwhile, marked syncing. */
  head?: PeerHead;
}

/** Pages of a paging peer's backlog read in one refresh (about 16 MB of JSON each). */
const MAX_PAGES = 20;

export function createPeerPoller(opts: PeerPollerOptions): PeerPoller {
  const { config, client, log } = opts;
  const now = opts.now ?? Date.now;
  const decoder = opts.decoder ?? inThreadDecoder;
  const limits = opts.limits ?? DEFAULT_PEER_LIMITS;
  const ownIntervalMs = Math.round(config.interval_minutes * 60_000);
  const refreshMs = Math.max(config.peer_refresh_seconds * 1000, opts.minRefreshMs ?? MIN_REFRESH_MS);
  const slots = createLimiter(opts.concurrency ?? DEFAULT_CONCURRENCY);
  const enabled = config.peers.filter((p) => p.enabled);
  const abort = new AbortController();
  const startedAt = now();
  let states: PeerState[] = [];
  let opening: Promise<void> | undefined;
  let tasks: Periodic[] = [];

  const stateFor = (peer: PeerConfig, store: PeerStore): PeerState => {
    const last = store.meta.last_success_at;
    return {
      peer,
      store,
      queries: createLogQueries(store.status, store.connectivity),
      fresh: false,
      failures: 0,
      lastPruneAt: now(),
      ...(last !== undefined ? { lastSuccessAt: Date.parse(last) } : {}),
      ...(store.meta.node?.id ? { reportedId: store.meta.node.id } : {}),
    };
  };

  const open = (): Promise<void> => {
    opening ??= (async () => {
      const memOpts = { retentionDays: config.retention_days, now };
      states = await Promise.all(
        enabled.map(async (peer) => {
          if (opts.persist === false) return stateFor(peer, PeerStore.memory(memOpts));
          const dir = peerDir(config.data_directory, peer.id);
          const note = (m: string) => log.warn(`peer ${peer.id}: ${m}`);
          // A peer.json past the limits (written before they existed, or by hand) is moved aside, not served.
          await checkMetaFile({ dir, decoder, limits, nowMs: now(), onNote: note });
          const r = await PeerStore.open({ ...memOpts, dir, onNote: note }).catch(
            (e: unknown) => ({ ok: false as const, error: `cannot load ${dir}: ${String(e)}` }),
          );
          if (r.ok) {
            // Samples from the future (kept before times were checked) would be the `since` of every pull, forever.
            const ahead = futureCursor(cursorOf(r.store.status, r.store.connectivity), limits, now());
            if (ahead !== undefined) {
              note(`history held ends at ${new Date(ahead).toISOString()}, ahead of this node's clock; dropped, pulled again`);
              r.store.reset();
            }
            return stateFor(peer, r.store);
          }
          // A peer's copy is not worth refusing to start over: it is pulled again.
          log.error(`peer ${peer.id}: ${r.error}; its history is kept in memory only`);
          return stateFor(peer, PeerStore.memory(memOpts));
        }),
      );
    })();
    return opening;
  };

  /** Another node already shown under this id: this node itself, or another peer. */
  const conflictOf = (state: PeerState, id: string | undefined): string | undefined => {
    if (id === undefined || id === '') return undefined;
    if (id === config.node_id) {
      return `peer reports node id "${id}", which is this node's own id (does base_url point at this node?); not merged`;
    }
    const index = states.indexOf(state);
    for (const [i, other] of states.entries()) {
      if (other === state) continue;
      // An earlier peer keeps a node it reported; a later one reporting the same node is the duplicate.
      if (other.peer.id === id || (i < index && other.reportedId === id)) {
        return `peer reports node id "${id}", the node already shown as peer "${other.peer.id}"; not merged`;
      }
    }
    return undefined;
  };

  const fail = (state: PeerState, raw: string): void => {
    // The peer's text can be quoted in an error: bounded before it is logged, shown or kept.
    const error = boundText(raw, MAX_PEER_ERROR_CHARS);
    if (state.error !== error) log.warn(`peer ${state.peer.id}: sync failed: ${error}`);
    state.error = error;
    state.failures++;
    state.fresh = false;
    opts.onRefresh?.(state.peer, false, error, now());
  };

  /** A peer address that now answers as another node: forget what was held of the old one. */
  const dropIfReplaced = (state: PeerState, pulled: Pulled): boolean => {
    const reported = pulled.status.node?.id ?? pulled.history.node?.id;
    const previous = state.store.meta.node?.id;
    if (reported === undefined || reported === '' || previous === undefined || previous === '' || previous === reported) return false;
    log.warn(`peer ${state.peer.id}: now reports node id "${reported}" (was "${previous}"); its cached history was dropped`);
    state.store.reset();
    return true;
  };

  const succeed = (state: PeerState, pulled: Pulled): void => {
    const reported = pulled.status.node?.id ?? pulled.history.node?.id;
    if (dropIfReplaced(state, pulled)) delete state.head; // the head held was the old node's
    const t = now();
    const node = pulled.status.node ?? pulled.history.node;
    const targets = pulled.status.targets ?? pulled.history.targets;
    const meta: PeerMeta = {
      ...(node !== undefined ? { node } : {}),
      ...(pulled.status.status !== undefined ? { status: pulled.status.status } : {}),
      ...(pulled.status.connectivity !== undefined ? { connectivity: pulled.status.connectivity } : {}),
      ...(targets !== undefined ? { targets } : {}),
      last_success_at: new Date(t).toISOString(),
    };
    if (pulled.head === true) {
      (state.head ??= new PeerHead()).add(pulled.history.history, pulled.history.connectivity);
      state.store.add([], [], meta);
    } else state.store.add(pulled.history.history, pulled.history.connectivity, meta);
    if (t - state.lastPruneAt >= PRUNE_EVERY_MS) {
      state.lastPruneAt = t;
      state.store.prune();
    }
    if (state.error !== undefined) log.info(`peer ${state.peer.id}: sync recovered after ${state.failures} failed refresh(es)`);
    else if (!state.fresh && state.lastSuccessAt === undefined) log.info(`peer ${state.peer.id}: first sync done`);
    delete state.error;
    state.failures = 0;
    state.fresh = true;
    state.lastSuccessAt = t;
    if (reported !== undefined && reported !== '') state.reportedId = reported;
    opts.onRefresh?.(state.peer, true, undefined, t);
  };

  /** Once the store reaches the head (or the peer has nothing more), the head joins the store. */
  const mergeHead = (state: PeerState, more: boolean): void => {
    const head = state.head;
    if (head === undefined || !head.reachedBy(state.store.lastStatusTime(), more)) return;
    const held = head.entries();
    state.store.add(held.status, held.connectivity, { ...state.store.meta });
    delete state.head;
    log.info(`peer ${state.peer.id}: older history read; sync complete`);
  };

  /** One request pair, holding one of the `concurrency` slots only for its own duration, so peers' heads go first. */
  const pullOnce = (state: PeerState, mode: 'auto' | 'forward') =>
    slots.run(() => {
      state.lastAttemptAt = now();
      return pullPeer({
        client,
        peer: state.peer,
        cursor: cursorOf(state.store.status, state.store.connectivity),
        ...(state.head !== undefined ? { headCursor: state.head.cursor() } : {}),
        mode,
        ownIntervalMs,
        signal: abort.signal,
        now,
        decoder,
        limits,
        ...(opts.pageBytes !== undefined ? { pageBytes: opts.pageBytes } : {}),
      });
    });

  const refresh = async (state: PeerState): Promise<void> => {
    // A node that pages answers a large backlog a page at a time: its newest day first (the head), then up to
    // MAX_PAGES pages forward from what is held, the rest next refresh.
    let mode: 'auto' | 'forward' = 'auto';
    for (let page = 0; page < MAX_PAGES; page++) {
      if (abort.signal.aborted) return;
      const r = await pullOnce(state, mode);
      if (abort.signal.aborted) return; // shutting down: not the peer's failure
      if (!r.ok) return fail(state, r.error);
      const conflict = conflictOf(state, r.value.status.node?.id ?? r.value.history.node?.id);
      if (conflict !== undefined) return fail(state, conflict);
      // Another node now answers at this address: drop what was held and read it from the start
      // (the history just pulled was asked from the old node's cursor, so it is only a tail).
      if (r.value.since !== undefined && dropIfReplaced(state, r.value)) {
        delete state.head;
        mode = 'auto';
        continue;
      }
      succeed(state, r.value);
      mode = 'forward';
      if (r.value.head === true) continue;
      mergeHead(state, r.value.history.more === true);
      if (r.value.history.more !== true) return;
    }
  };

  const snapshotOf = (state: PeerState, range: RangeName): PeerSnapshot => {
    const end = now();
    const window = { start: end - RANGE_MS[range], end };
    const { peer, store } = state;
    const meta = store.meta;
    const remote = meta.node;
    const hasData = state.lastSuccessAt !== undefined || store.status.length > 0;
    // Syncing: the older days are still being read (the card shows the newest), or the first refresh has not ended.
    const syncing = state.head !== undefined || (!hasData && state.error === undefined);
    const sync = {
      ...(state.error !== undefined ? { error: state.error } : {}),
      ...(syncing ? { syncing: true } : {}),
      // Stale: what is shown is not from this run's latest refresh (kept after a failure, or loaded from disk
      // and not yet refreshed). A peer whose first refresh is still running has nothing to be stale.
      stale: !state.fresh && (hasData || state.error !== undefined),
      ...(state.lastSuccessAt !== undefined ? { last_success_at: new Date(state.lastSuccessAt).toISOString() } : {}),
      consecutive_failures: state.failures,
    };
    // A peer with a configured name shows it; one named only by its id shows the name it reports (as the original).
    const name = peer.name !== peer.id || remote === undefined || remote.name === '' ? peer.name : remote.name;
    if (!hasData) {
      // Never synced: the original's shape for a peer without data.
      return {
        node: { id: peer.id, name, interval_minutes: 0 },
        connectivity_timeline: state.queries.connectivityTimeline(window),
        services: [],
        updated_at: new Date(state.lastAttemptAt ?? startedAt).toISOString(),
        source: 'peer',
        ...sync,
      };
    }
    const node: NodeInfo = {
      id: peer.id,
      name,
      interval_minutes: remote?.interval_minutes ?? 0,
      ...(remote?.connectivity_interval_seconds !== undefined ? { connectivity_interval_seconds: remote.connectivity_interval_seconds } : {}),
    };
    const fromTargets = (meta.targets ?? []).filter((t) => t.id !== '');
    const services = fromTargets.length > 0 ? fromTargets : (meta.status?.checks ?? []).filter((c) => c.id !== '');
    const snap = buildSnapshot(
      {
        node,
        history: state.head?.queries ?? state.queries,
        services,
        ...(meta.targets !== undefined ? { targets: meta.targets } : {}),
        intervalMs: peerIntervalMs(remote, ownIntervalMs),
        ...(meta.status !== undefined ? { status: meta.status } : {}),
        ...(meta.connectivity !== undefined ? { connectivity: meta.connectivity } : {}),
        updatedAt: state.lastSuccessAt ?? state.lastAttemptAt ?? startedAt,
        source: 'peer',
        ...(state.lastSuccessAt !== undefined ? { completeUntil: state.lastSuccessAt } : {}),
      },
      window,
    );
    return { ...snap, ...sync };
  };

  const refreshAll = async (): Promise<void> => {
    await open();
    await Promise.all(states.map(refresh));
  };

  return {
    open,
    refreshMs,
    refreshAll,
    start() {
      if (tasks.length > 0 || abort.signal.aborted) return;
      void open().then(() => {
        if (abort.signal.aborted) return;
        tasks = states.map((state) =>
          createPeriodic({
            intervalMs: refreshMs,
            run: () => refresh(state),
            onError: (e) => log.error(`peer ${state.peer.id}: refresh failed unexpectedly: ${String(e)}`),
            now,
          }),
        );
        for (const t of tasks) t.start();
      });
    },
    async stop() {
      abort.abort();
      await Promise.all(tasks.map((t) => t.stop()));
      if (opening !== undefined) await opening;
      await Promise.all(states.map((s) => s.store.close()));
      client.close();
      await decoder.close();
    },
    states() {
      return states.map((st) => ({
        id: st.peer.id,
        name: st.peer.name,
        up: st.fresh && st.error === undefined,
        ...(st.lastSuccessAt !== undefined ? { lastSuccessAt: st.lastSuccessAt } : {}),
        consecutiveFailures: st.failures,
      }));
    },
    snapshots(range) {
      // Before open() has loaded anything, every enabled peer still shows, without data.
      if (states.length === 0 && enabled.length > 0) {
        return enabled.map((peer) => snapshotOf(stateFor(peer, PeerStore.memory({ retentionDays: config.retention_days, now })), range));
      }
      return states.map((s) => snapshotOf(s, range));
    },
  };
}
