/**
 * The composition root: creates the daemon's parts, passes them to each other,
 * and closes them in reverse order (src/lifecycle.ts), on stop and on a start
 * that fails half-way. Behaviour lives in the parts: the sampler (check ->
 * store -> observe), the peer poller, the incident service, the HTTP app.
 * Nothing here is module-level state, so tests can run several daemons in
 * one process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIncrementalChecker } from './checks/incremental.js';
import { createJournalTap } from './checks/journal-tap.js';
import { createPeriodic } from './checks/periodic.js';
import { createCheckPool, type CheckPool } from './checks/pool.js';
import { poolThreadsFor } from './checks/pool-size.js';
import { createSampler, type Sampler } from './checks/sampler.js';
import type { Config } from './config/types.js';
import { openHistory, type History } from './history/open.js';
import { AnswerCache } from './http/answer-cache.js';
import { countingIncidents } from './http/answer-versions.js';
import { createApp } from './http/app.js';
import { guardConnections } from './http/connections.js';
import { historyCap } from './http/query.js';
import { createIncidentService } from './incidents/service.js';
import { openIncidentStore } from './incidents/store.js';
import { lazyMetricsRegistry, lazyPeerClient, loadNotifier } from './lazy-parts.js';
import { createLifecycle, must, StartError, type Lifecycle } from './lifecycle.js';
import type { Logger } from './log.js';
import { daemonMetricsSources } from './metrics/daemon-sources.js';
import { createLocalNode, type LocalNode } from './node/local.js';
import type { Notifier } from './notify/notifier.js';
import { createPeerDecodePool } from './peers/decode-pool.js';
import { peerLimitsFrom } from './peers/limits.js';
import { createPeerPoller, MIN_REFRESH_MS, type PeerPoller } from './peers/poller.js';
import { lockDataDirectory } from './storage/lock.js';
import { createMemoryRelease } from './memory-release.js';

/**
 * Set by the test suite only (test/helpers/daemon-entry.ts), never read from
 * the environment: the installed daemon cannot be made to load another worker
 * module or to pull peers faster than the 15 s floor.
 */
export interface DaemonTestOptions {
  /** A worker module in place of workers/check-worker.js (a misbehaving one, for the reliability tests). */
  checkWorkerFile?: URL;
  /** The floor of peer_refresh_seconds, in ms, instead of 15 s (cluster tests run at 1 s). */
  minPeerRefreshMs?: number;
}

export interface DaemonOptions extends DaemonTestOptions {
  config: Config;
  configPath: string;
  listen: { host?: string; port: number };
  log: Logger;
  version: string;
  publicDir: string;
  now?: () => number;
}

export interface Daemon {
  address(): AddressInfo;
  stop(): Promise<void>;
}

export type StartResult = { ok: true; value: Daemon } | { ok: false; error: string };

/** Time the runs in flight get at stop before the pool is closed under them. */
const STOP_GRACE_MS = 3_000;
/** Time queued notifications get at stop. */
const NOTIFY_GRACE_MS = 3_000;

export async function startDaemon(opts: DaemonOptions): Promise<StartResult> {
  const life = createLifecycle(opts.log);
  try {
    return { ok: true, value: await start(opts, life) };
  } catch (err) {
    await life.closeAll();
    if (err instanceof StartError) return { ok: false, error: err.message };
    throw err;
  }
}

async function start(opts: DaemonOptions, life: Lifecycle): Promise<Daemon> {
  const { config, log } = opts;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const where = `data directory ${config.data_directory}`;

  const lock = await lockDataDirectory(config.data_directory);
  if (!lock.ok) throw new StartError(`${where}: ${lock.error}`);
  life.defer('the data-directory lock', lock.release);
  const history = must(await openHistory({ dir: config.data_directory, retentionDays: config.retention_days, now, log }), where);
  life.defer('the history', () => history.close());
  const incidentStore = must(await openIncidentStore({ dir: config.data_directory, retentionDays: config.retention_days, now, log }), where);
  const notifier = await loadNotifier({ channels: config.notifications, log, version: opts.version });
  life.defer('the notifier', () => notifier.stop(NOTIFY_GRACE_MS));
  // Counted, so kept /api/incidents answers are rebuilt after each observation.
  const incidents = countingIncidents(createIncidentService({
    node: { id: config.node_id, name: config.node_name },
    config,
    store: incidentStore,
    log,
    now,
    onEvents: (events) => notifier.notifyAll(events),
  }));
  life.defer('the incidents', () => incidents.close());

  const pool = createCheckPool({
    maxThreads: poolThreadsFor(config.targets.length, config.monitor_dns.enabled),
    ...(opts.checkWorkerFile !== undefined ? { workerFile: opts.checkWorkerFile } : {}),
  });
  // Closing the pool ends the jobs still in flight after the sampler's grace; then its runs settle.
  let sampler: Sampler | undefined;
  life.defer('the check pool', async () => {
    await pool.close();
    await sampler?.settled();
  });
  // Journal lines are read for units that are not ok and shown with the latest sample, never stored.
  const checker = createJournalTap(createIncrementalChecker(pool), config.journal_lines);
  const local = createLocalNode({ config, history, now, version: opts.version, journal: checker.latest });

  // Moves after every peer refresh: the kept lane's stamp. The cluster answers' parts follow each peer's own versions.
  let peersVersion = 0;
  const peers = createPeers(opts, now, (p, ok, error, at) => {
    peersVersion++;
    incidents.observePeer(p.id, p.name, ok, error, at);
  });
  life.defer('the peer poller', () => peers.stop());
  await peers.open();

  sampler = createSampler({
    targets: config.targets,
    intervalMs: local.intervalMs(),
    dns: config.monitor_dns,
    checker,
    probeDns: (cfg) => pool.probeDns(cfg),
    store: history,
    observer: incidents,
    log,
    now,
  });
  const prune = createPeriodic({
    intervalMs: 3_600_000, initialDelayMs: 3_600_000, now,
    run: () => history.prune(), onError: (e) => log.error(`retention prune failed: ${String(e)}`),
  });

  const server = await listen(opts, createHttp({ opts, now, startedAt, history, local, pool, peers, incidents, notifier, sampler, peersVersion: () => peersVersion }));
  life.defer('the HTTP server', () => closeServer(server));
  const address = server.address() as AddressInfo;
  log.info(`Loaded ${config.targets.length} target(s) from ${opts.configPath}; node ${config.node_id} (${config.node_name})`);
  log.info(`JobMonitor listening on ${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port} (interval ${config.interval_minutes} minutes)`);

  const running = sampler;
  running.start();
  prune.start();
  life.defer('the sampler', async () => {
    await prune.stop();
    await running.stop(STOP_GRACE_MS);
  });
  peers.start();
  return { address: () => address, stop: () => life.closeAll() };
}

/** The peer poller, with its decode thread and (lazily loaded) HTTP client. */
function createPeers(opts: DaemonOptions, now: () => number, onRefresh: (p: Config['peers'][number], ok: boolean, error: string | undefined, at: number) => void): PeerPoller {
  const { config, log } = opts;
  const floor = opts.minPeerRefreshMs ?? MIN_REFRESH_MS;
  if (config.peers.some((p) => p.enabled) && config.peer_refresh_seconds * 1000 < floor) {
    log.info(`peer_refresh_seconds ${config.peer_refresh_seconds} is below the floor of ${floor / 1000} s; peers are pulled every ${floor / 1000} s`);
  }
  return createPeerPoller({
    config,
    client: lazyPeerClient({
      version: opts.version,
      ...(config.peer_max_response_bytes !== undefined ? { maxResponseBytes: config.peer_max_response_bytes } : {}),
    }),
    log,
    now,
    decoder: createPeerDecodePool(), // peer bodies are parsed and checked off the main thread; closed by peers.stop()
    limits: peerLimitsFrom(config),
    ...(config.peer_compact_wire !== undefined ? { compactWire: config.peer_compact_wire } : {}),
    minRefreshMs: floor,
    onRefresh,
  });
}

interface HttpParts {
  opts: DaemonOptions;
  now: () => number;
  startedAt: number;
  history: History;
  local: LocalNode;
  pool: CheckPool;
  peers: PeerPoller;
  incidents: ReturnType<typeof countingIncidents>;
  notifier: Notifier;
  sampler: Sampler;
  peersVersion: () => number;
}

/** The Koa app with its metrics registry and the cache of kept answers. */
function createHttp(p: HttpParts) {
  const { config, log, version } = p.opts;
  const sources = daemonMetricsSources({
    config, version, history: p.history, local: p.local, pool: p.pool, peerStates: () => p.peers.states(),
    incidents: { openIncidents: () => p.incidents.openIncidents(), heldBack: () => p.notifier.heldBack() },
  });
  const release = createMemoryRelease();
  const answers = new AnswerCache({ onIdleDrop: (bytes) => release.freed(bytes) });
  const metricsRegistry = lazyMetricsRegistry(sources, { now: p.now, seed: sources.latestStatus() }, answers);
  const intervalMs = p.local.intervalMs();
  return createApp({
    local: p.local,
    peers: (range) => p.peers.snapshots(range),
    peerViews: () => p.peers.views(),
    health: () => ({
      lastSampleAt: p.sampler.lastSampleAt(), intervalMs, startedAt: p.startedAt,
      pendingWrites: p.history.pendingWrites(), lastWriteError: p.history.lastWriteError(),
    }),
    log,
    now: p.now,
    historyCap: historyCap(config.interval_minutes),
    apiKey: config.api_key,
    publicDir: p.opts.publicDir,
    corsOrigins: config.cors_origins,
    ...(config.frame_ancestors.length > 0 ? { frameAncestors: config.frame_ancestors.join(' ') } : {}),
    metrics: { registry: metricsRegistry, public: config.metrics_public },
    peersConfig: config.peers,
    badgesPublic: config.badges_public,
    incidents: (range, limit) => p.incidents.list(range, limit),
    answers,
    versions: { peers: p.peersVersion, incidents: () => p.incidents.version() },
  });
}

/** Listens with the per-connection limits (docs/http-api.md); a port in use is a start error. */
async function listen(opts: DaemonOptions, app: ReturnType<typeof createApp>): Promise<Server> {
  const server: Server = createServer(app.callback());
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  guardConnections(server); // a client that reads its answer slowly, or never, is cut off
  await new Promise<void>((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(new StartError(`cannot listen on ${opts.listen.host ?? ''}:${opts.listen.port}: ${err.code ?? err.message}`)));
    server.listen({ port: opts.listen.port, ...(opts.listen.host !== undefined ? { host: opts.listen.host } : {}) }, () => done());
  });
  return server;
}

/** Stops accepting, lets requests in flight finish for up to 2 s, then cuts the rest. */
function closeServer(server: Server): Promise<void> {
  server.closeIdleConnections();
  return new Promise<void>((r) => {
    server.close(() => r());
    setTimeout(() => {
      server.closeAllConnections();
      r();
    }, 2_000).unref();
  });
}
