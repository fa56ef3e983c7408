/**
 * Wires the daemon's parts together and owns their lifecycle. Everything is
 * passed in or created here; nothing is module-level state, so tests can run
 * several daemons in one process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJournalTap } from './checks/journal-tap.js';
import { createIncrementalChecker } from './checks/incremental.js';
import { createCheckPool } from './checks/pool.js';
import { poolThreadsFor } from './checks/pool-size.js';
import { lazyPeerClient, loadNotifier } from './lazy-parts.js';
import { createPeriodic, type Periodic } from './checks/periodic.js';
import { createProbeRun, createSweep } from './checks/sweep.js';
import type { Config } from './config/types.js';
import { lockDataDirectory } from './storage/lock.js';
import { openHistory } from './history/open.js';
import { createApp } from './http/app.js';
import { AnswerCache } from './http/answer-cache.js';
import { registerAnswerCacheMetrics } from './http/answer-cache-metrics.js';
import { countingIncidents } from './http/answer-versions.js';
import { guardConnections } from './http/connections.js';
// ---- operations imports (src/metrics)
import { daemonMetricsSources } from './metrics/daemon-sources.js';
import { createMetricsRegistry } from './metrics/registry.js';
// ---- end operations imports
import { historyCap } from './http/query.js';
import type { Logger } from './log.js';
import { createLocalNode } from './node/local.js';
import { createPeerPoller, minRefreshFromEnv } from './peers/poller.js';
import { createPeerDecodePool } from './peers/decode-pool.js';
import { peerLimitsFrom } from './peers/limits.js';
// ---- incidents and notifications imports (src/incidents, src/notify)
import { createIncidentService } from './incidents/service.js';
import { openIncidentStore } from './incidents/store.js';
// ---- end incidents and notifications imports

export interface DaemonOptions {
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

export async function startDaemon(opts: DaemonOptions): Promise<StartResult> {
  const { config, log } = opts;
  const now = opts.now ?? Date.now;
  const startedAt = now();

  const lock = await lockDataDirectory(config.data_directory);
  if (!lock.ok) return { ok: false, error: `data directory ${config.data_directory}: ${lock.error}` };
  const opened = await openHistory({ dir: config.data_directory, retentionDays: config.retention_days, now, log });
  if (!opened.ok) {
    await lock.release();
    return { ok: false, error: `data directory ${config.data_directory}: ${opened.error}` };
  }
  const history = opened.value;
  // ---- incidents and notifications: changes are stored, then queued for the receivers (never awaited by checks).
  const incidentStore = await openIncidentStore({ dir: config.data_directory, retentionDays: config.retention_days, now, log });
  if (!incidentStore.ok) {
    await history.close();
    await lock.release();
    return { ok: false, error: `data directory ${config.data_directory}: ${incidentStore.error}` };
  }
  const notifier = await loadNotifier({ channels: config.notifications ?? [], log, version: opts.version });
  // Counted, so cached /api/incidents answers are rebuilt after each observation.
  const incidents = countingIncidents(createIncidentService({
    node: { id: config.node_id, name: config.node_name },
    config,
    store: incidentStore.value,
    log,
    now,
    onEvents: (events) => notifier.notifyAll(events),
  }));
  // ---- end incidents and notifications

  // Tests only: JOBMONITOR_TEST_CHECK_WORKER (a file: URL) swaps in a misbehaving worker module (test/reliability/workers.test.ts).
  const testWorker = process.env['JOBMONITOR_TEST_CHECK_WORKER'];
  const pool = createCheckPool({
    maxThreads: poolThreadsFor(config.targets.length, config.monitor_dns.enabled),
    ...(testWorker !== undefined && testWorker !== '' ? { workerFile: new URL(testWorker) } : {}),
  });
  // ---- journal lines (journal_lines > 0): read for units that are not ok, shown in /api/node/status, never stored.
  const checker = createJournalTap(createIncrementalChecker(pool), config.journal_lines ?? 0);
  const local = createLocalNode({ config, history, now, version: opts.version, journal: checker.latest });
  // ---- end journal lines
  // ---- peers (src/peers): refreshed in the background; /api/cluster answers from their cache.
  let peersVersion = 0; // cached /api/cluster answers are rebuilt after each peer refresh
  const minPeerRefreshMs = minRefreshFromEnv(process.env); // tests only, see minRefreshFromEnv
  const peers = createPeerPoller({
    config,
    client: lazyPeerClient({
      version: opts.version,
      ...(config.peer_max_response_bytes !== undefined ? { maxResponseBytes: config.peer_max_response_bytes } : {}),
    }),
    log,
    now,
    decoder: createPeerDecodePool(), // peer bodies are parsed and checked off the main thread; closed by peers.stop()
    limits: peerLimitsFrom(config),
    ...(minPeerRefreshMs !== undefined ? { minRefreshMs: minPeerRefreshMs } : {}),
    onRefresh: (p, ok, error, at) => {
      peersVersion++;
      incidents.observePeer(p.id, p.name, ok, error, at); // ---- incidents
    },
  });
  await peers.open();
  // ---- end peers
  const intervalMs = local.intervalMs();
  const previous = history.latestStatus();
  let lastSampleAt: number | undefined = previous === undefined ? undefined : Date.parse(previous.timestamp);

  // Every history write also tells the incidents whether storage works (a full or read-only disk is an incident).
  const sink = {
    appendStatus: async (entry: Parameters<typeof history.appendStatus>[0]) => {
      const r = await history.appendStatus(entry);
      incidents.observeStorage(r.ok, r.ok ? undefined : r.error, now()); // ---- incidents
      return r;
    },
    appendConnectivity: async (sample: Parameters<typeof history.appendConnectivity>[0]) => {
      const r = await history.appendConnectivity(sample);
      incidents.observeStorage(r.ok, r.ok ? undefined : r.error, now()); // ---- incidents
      return r;
    },
  };
  let stopping = false;
  const sweep = createSweep({
    stopping: () => stopping,
    targets: config.targets,
    checker, // the pool, with journal lines taken off before storing
    sink,
    log,
    now,
    previous: previous?.checks ?? [],
    onSample: (entry) => {
      lastSampleAt = now();
      incidents.observeStatus(entry); // ---- incidents
    },
  });
  const tasks: Periodic[] = [
    createPeriodic({ intervalMs, run: async () => void (await sweep()), onError: (e) => log.error(`sweep failed: ${String(e)}`), now }),
    createPeriodic({ intervalMs: 3_600_000, initialDelayMs: 3_600_000, run: () => history.prune(), onError: (e) => log.error(`retention prune failed: ${String(e)}`), now }),
  ];
  if (config.monitor_dns.enabled) {
    // ---- incidents: each probe result is also an incident observation
    const probeDns = async () => {
      const s = await pool.probeDns(config.monitor_dns);
      if (!stopping) incidents.observeProbe(s);
      return s;
    };
    // ---- end incidents
    const probe = createProbeRun({ probe: probeDns, sink, log, stopping: () => stopping });
    tasks.push(createPeriodic({
      intervalMs: config.monitor_dns.interval_seconds * 1000,
      run: async () => void (await probe()),
      onError: (e) => log.error(`dns probe failed: ${String(e)}`),
      now,
    }));
  }

  // ---- metrics (src/metrics): one registry per daemon, read from the live objects on each scrape.
  const metricsRegistry = createMetricsRegistry(
    daemonMetricsSources({
      config, version: opts.version, history, local, pool, peerStates: () => peers.states(),
      incidents: { openIncidents: () => incidents.openIncidents(), heldBack: () => notifier.heldBack() }, // ---- incidents
    }),
    { now },
  );
  const answers = new AnswerCache();
  registerAnswerCacheMetrics(metricsRegistry, answers, config.node_id);
  // ---- end metrics
  const app = createApp({
    local,
    peers: (range) => peers.snapshots(range),
    health: () => ({ lastSampleAt, intervalMs, startedAt, pendingWrites: history.pendingWrites(), lastWriteError: history.lastWriteError() }),
    log,
    now,
    historyCap: historyCap(config.interval_minutes),
    apiKey: config.api_key,
    publicDir: opts.publicDir,
    corsOrigins: config.cors_origins ?? [],
    ...(config.frame_ancestors !== undefined && config.frame_ancestors.length > 0 ? { frameAncestors: config.frame_ancestors.join(' ') } : {}),
    // ---- operations (metrics, badges)
    metrics: { registry: metricsRegistry, public: config.metrics_public ?? false },
    peersConfig: config.peers,
    badgesPublic: config.badges_public ?? false,
    // ---- end operations
    incidents: (range, limit) => incidents.list(range, limit), // ---- incidents
    answers,
    versions: { peers: () => peersVersion, incidents: () => incidents.version() },
  });

  const server: Server = createServer(app.callback());
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  guardConnections(server); // a client that reads its answer slowly, or never, is cut off (docs/http-api.md)
  const listening = await new Promise<{ ok: true } | { ok: false; error: string }>((done) => {
    server.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: `cannot listen on ${opts.listen.host ?? ''}:${opts.listen.port}: ${err.code ?? err.message}` }));
    server.listen({ port: opts.listen.port, ...(opts.listen.host !== undefined ? { host: opts.listen.host } : {}) }, () => done({ ok: true }));
  });
  if (!listening.ok) {
    await Promise.all([notifier.stop(0), incidents.close()]); // ---- incidents
    await peers.stop();
    await pool.close();
    await history.close();
    await lock.release();
    return listening;
  }
  const address = server.address() as AddressInfo;
  log.info(`Loaded ${config.targets.length} target(s) from ${opts.configPath}; node ${config.node_id} (${config.node_name})`);
  log.info(`JobMonitor listening on ${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port} (interval ${config.interval_minutes} minutes)`);
  for (const t of tasks) t.start();
  peers.start();

  return {
    ok: true,
    value: {
      address: () => address,
      async stop() {
        stopping = true;
        // Stop scheduling first; in-flight jobs are ended by closing the pool.
        const waits = tasks.map((t) => t.stop());
        const peersStopped = peers.stop(); // aborts requests in flight
        await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 3_000))]);
        await pool.close();
        await Promise.all(waits);
        await peersStopped;
        // ---- incidents and notifications: nothing is observed any more; queued notifications get a few seconds.
        await Promise.all([notifier.stop(3_000), incidents.close()]);
        // ---- end incidents and notifications
        await history.close();
        await lock.release();
        server.closeIdleConnections();
        await new Promise<void>((r) => {
          server.close(() => r());
          setTimeout(() => {
            server.closeAllConnections();
            r();
          }, 2_000).unref();
        });
      },
    },
  };
}
