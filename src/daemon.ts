/**
 * Wires the daemon's parts together and owns their lifecycle. Everything is
 * passed in or created here; nothing is module-level state, so tests can run
 * several daemons in one process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCheckPool } from './checks/pool.js';
import { createPeriodic, type Periodic } from './checks/periodic.js';
import { createProbeRun, createSweep } from './checks/sweep.js';
import type { Config } from './config/types.js';
import { openHistory } from './history/open.js';
import { createApp } from './http/app.js';
import { historyCap } from './http/query.js';
import type { Logger } from './log.js';
import { createLocalNode } from './node/local.js';
import { createPeerClient } from './peers/client.js';
import { createPeerPoller, minRefreshFromEnv } from './peers/poller.js';

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

  const opened = await openHistory({ dir: config.data_directory, retentionDays: config.retention_days, now, log });
  if (!opened.ok) return { ok: false, error: `data directory ${config.data_directory}: ${opened.error}` };
  const history = opened.value;

  const pool = createCheckPool({});
  const local = createLocalNode({ config, history, now, version: opts.version });
  // ---- peers (src/peers): refreshed in the background; /api/cluster answers from their cache.
  const minPeerRefreshMs = minRefreshFromEnv(process.env); // tests only, see minRefreshFromEnv
  const peers = createPeerPoller({
    config,
    client: createPeerClient({
      version: opts.version,
      ...(config.peer_max_response_bytes !== undefined ? { maxResponseBytes: config.peer_max_response_bytes } : {}),
    }),
    log,
    now,
    ...(minPeerRefreshMs !== undefined ? { minRefreshMs: minPeerRefreshMs } : {}),
  });
  await peers.open();
  // ---- end peers
  const intervalMs = local.intervalMs();
  const previous = history.latestStatus();
  let lastSampleAt: number | undefined = previous === undefined ? undefined : Date.parse(previous.timestamp);

  const sweep = createSweep({
    targets: config.targets,
    checker: pool,
    sink: history,
    log,
    now,
    previous: previous?.checks ?? [],
    onSample: () => {
      lastSampleAt = now();
    },
  });
  const tasks: Periodic[] = [
    createPeriodic({ intervalMs, run: async () => void (await sweep()), onError: (e) => log.error(`sweep failed: ${String(e)}`), now }),
    createPeriodic({ intervalMs: 3_600_000, initialDelayMs: 3_600_000, run: () => history.prune(), onError: (e) => log.error(`retention prune failed: ${String(e)}`), now }),
  ];
  if (config.monitor_dns.enabled) {
    const probe = createProbeRun({ probe: () => pool.probeDns(config.monitor_dns), sink: history, log });
    tasks.push(createPeriodic({
      intervalMs: config.monitor_dns.interval_seconds * 1000,
      run: async () => void (await probe()),
      onError: (e) => log.error(`dns probe failed: ${String(e)}`),
      now,
    }));
  }

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
  });

  const server: Server = createServer(app.callback());
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  const listening = await new Promise<{ ok: true } | { ok: false; error: string }>((done) => {
    server.once('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: `cannot listen on ${opts.listen.host ?? ''}:${opts.listen.port}: ${err.code ?? err.message}` }));
    server.listen({ port: opts.listen.port, ...(opts.listen.host !== undefined ? { host: opts.listen.host } : {}) }, () => done({ ok: true }));
  });
  if (!listening.ok) {
    await peers.stop();
    await pool.close();
    await history.close();
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
        // Stop scheduling first; in-flight jobs are ended by closing the pool.
        const waits = tasks.map((t) => t.stop());
        const peersStopped = peers.stop(); // aborts requests in flight
        await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 3_000))]);
        await pool.close();
        await Promise.all(waits);
        await peersStopped;
        await history.close();
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
