/**
 * Test helper: the real app (createApp) over in-memory history with an hour
 * of samples, a DNS probe, journal lines, two peers (one synced and stale,
 * one never synced) and a metrics registry, served on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Koa from 'koa';
import type { Config, TargetConfig } from '../../src/config/types.js';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { createApp } from '../../src/http/app.js';
import type { DataVersions } from '../../src/http/answer-versions.js';
import { listIncidents } from '../../src/incidents/list.js';
import type { StoredIncident } from '../../src/incidents/types.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { createLogQueries as createHistoryQueries } from '../../src/views/log-queries.js';
import { createLocalNode } from '../../src/node/local.js';
import { buildSnapshot } from '../../src/node/snapshot.js';
import type { CheckResult, PeerSnapshot, RangeName, StatusEntry } from '../../src/types.js';
import { testConfig } from '../helpers/config.js';

export const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

export const TARGETS: TargetConfig[] = [
  { id: 'web', name: 'Web', service: 'nginx.service', url: 'https://example.invalid/', timeout_seconds: 15, use_sudo: false },
  { id: 'db', name: 'Database', service: 'postgresql.service', timeout_seconds: 15, use_sudo: true },
  { id: 'odd', name: '<b>"Odd" & co</b>', service: 'odd.service', timeout_seconds: 15, use_sudo: false },
  { id: 'new', name: 'New', service: 'new.service', timeout_seconds: 15, use_sudo: false },
];

/** The last 3 samples of db failed; odd is activating at the newest; new was never checked. */
function samples(): StatusEntry[] {
  const out: StatusEntry[] = [];
  for (let i = 60; i >= 1; i--) {
    const at = NOW - i * MIN;
    const dbFailed = i <= 3;
    const checks: CheckResult[] = [
      { id: 'web', name: 'Web', ok: true, state: 'active', sub_state: 'running', result: 'success', since: '2026-11-28T10:35:47.000Z', restarts: 0, duration_ms: 21 },
      dbFailed
        ? { id: 'db', name: 'Database', ok: false, state: 'failed', error: 'failed', sub_state: 'failed', result: 'exit-code', since: iso(NOW - 3 * MIN), restarts: 3, duration_ms: 34 }
        : { id: 'db', name: 'Database', ok: true, state: 'active', sub_state: 'running', result: 'success', duration_ms: 30 },
      i === 1
        ? { id: 'odd', name: '<b>"Odd" & co</b>', ok: false, state: 'activating', error: 'activating', sub_state: 'start-pre', duration_ms: 21 }
        : { id: 'odd', name: '<b>"Odd" & co</b>', ok: true, state: 'active', duration_ms: 21 },
    ];
    out.push({ timestamp: iso(at), checks });
  }
  return out;
}

function probes(): ConnectivityLog {
  const log = new ConnectivityLog();
  for (let i = 30; i >= 1; i--) {
    const at = iso(NOW - i * MIN);
    log.append(i === 10
      ? { target: '1.1.1.1:53', ok: false, latency_ms: 0, error: 'dial tcp 1.1.1.1:53: i/o timeout', checked_at: at }
      : { target: '1.1.1.1:53', ok: true, latency_ms: 11.5, checked_at: at });
  }
  return log;
}

export function config(over: Partial<Config> = {}): Config {
  return testConfig({
    interval_minutes: 1, data_directory: '/nonexistent', node_id: 'n1', node_name: 'Node 1', peer_refresh_seconds: 60,
    monitor_dns: { enabled: true, target: '1.1.1.1:53', interval_seconds: 60, timeout_seconds: 4 },
    targets: TARGETS, peers: [], retention_days: 30, ...over,
  });
}

/** A peer synced a while ago whose last refreshes failed, and one that never answered. */
function peers(): PeerSnapshot[] {
  const log = new SampleLog();
  for (let i = 20; i >= 5; i--) log.append({ timestamp: iso(NOW - i * MIN), checks: [{ id: 'api', name: 'API', ok: i % 7 !== 0, state: i % 7 !== 0 ? 'active' : 'inactive', ...(i % 7 !== 0 ? {} : { error: 'inactive' }) }] });
  const history = createHistoryQueries(log, new ConnectivityLog());
  const w = { start: NOW - 24 * 60 * MIN, end: NOW };
  const synced = buildSnapshot({
    node: { id: 'b', name: 'Node B', interval_minutes: 1 }, history, services: [{ id: 'api', name: 'API' }],
    targets: [{ id: 'api', name: 'API', service: 'api.service', timeout_seconds: 10, use_sudo: false }],
    intervalMs: MIN, updatedAt: NOW - 5 * MIN, source: 'peer', completeUntil: NOW - 5 * MIN,
  }, w);
  return [
    { ...synced, error: 'GET /api/node/status: connect ECONNREFUSED', stale: true, last_success_at: iso(NOW - 5 * MIN), consecutive_failures: 4 },
    {
      node: { id: 'c', name: 'Node C', interval_minutes: 0 }, connectivity_timeline: [], services: [], updated_at: iso(NOW),
      source: 'peer', error: 'GET /api/node/status: timeout', stale: true, consecutive_failures: 9,
    },
  ];
}

/** One open incident (db) and one resolved (the probe). */
const INCIDENTS: StoredIncident[] = [
  {
    id: `unit:db:${NOW - 3 * MIN}`, kind: 'unit', subject: 'db', name: 'Database', node: 'n1',
    started_at: iso(NOW - 3 * MIN), last_failure_at: iso(NOW - MIN), states: ['failed'], errors: ['failed'], samples: 3,
  },
  {
    id: `probe:1.1.1.1:53:${NOW - 10 * MIN}`, kind: 'probe', subject: '1.1.1.1:53', name: 'DNS probe 1.1.1.1:53', node: 'n1',
    started_at: iso(NOW - 10 * MIN), ended_at: iso(NOW - 9 * MIN), last_failure_at: iso(NOW - 10 * MIN),
    states: ['offline'], errors: ['dial tcp 1.1.1.1:53: i/o timeout'], samples: 1,
  },
];

export interface FixtureOptions {
  apiKey?: string;
  metricsPublic?: boolean;
  badgesPublic?: boolean;
  /** The clock of the app (default NOW, one minute after the newest sample). */
  now?: number;
  /** Without the optional parts (metrics registry, incidents). */
  bare?: boolean;
  /** Data counters (without them, answers over the peers are built per request). */
  versions?: DataVersions;
}

export interface Served {
  url: string;
  app: Koa;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; type: string; text: string; json: () => any; headers: Headers }>;
  close(): Promise<void>;
}

export async function serveFixture(opts: FixtureOptions = {}): Promise<Served> {
  const now = () => opts.now ?? NOW;
  const cfg = config(opts.apiKey !== undefined ? { api_key: opts.apiKey } : {});
  const status = SampleLog.fromEntries(samples());
  const conn = probes();
  const history = createHistoryQueries(status, conn);
  const journal = new Map([['db', { journal: ['2026-11-28T11:57:01+0000 host postgres[41]: FATAL: could not bind <socket>'] }]]);
  const local = createLocalNode({ config: cfg, history, now, version: '9.9.9-test', journal: () => journal });
  const peerList = peers();
  const registry = createMetricsRegistry({
    node: { id: cfg.node_id, name: cfg.node_name },
    version: '9.9.9-test',
    targets: () => cfg.targets,
    latestStatus: () => history.latestStatus(),
    uptime: (range) => history.uptime(cfg.targets, local.window(range), local.intervalMs()),
    dns: { target: '1.1.1.1:53', latest: () => history.latestConnectivity() },
    peers: () => [{ id: 'b', name: 'Node B', up: false, lastSuccessAt: NOW - 5 * MIN, consecutiveFailures: 4 }],
    history: { pendingWrites: () => 0, droppedWrites: () => 0, lastWriteError: () => undefined },
    pool: () => ({ queued: 0, completed: 60, timeouts: 0, workerErrors: 0 }),
  }, { now, processMetrics: false });
  const pub = mkdtempSync(join(tmpdir(), 'jm-pub-'));
  writeFileSync(join(pub, 'index.html'), '<!doctype html><title>x</title>');
  const app = createApp({
    local,
    peers: () => peerList,
    health: () => ({ lastSampleAt: NOW - MIN, intervalMs: MIN, startedAt: NOW - 3_600_000, pendingWrites: 0, lastWriteError: undefined }),
    log: { info() {}, warn() {}, error() {} },
    now,
    historyCap: 200,
    apiKey: cfg.api_key,
    publicDir: pub,
    badgesPublic: opts.badgesPublic ?? false,
    ...(opts.versions !== undefined ? { versions: opts.versions } : {}),
    ...(opts.bare === true ? {} : {
      metrics: { registry: () => Promise.resolve(registry), public: opts.metricsPublic ?? false },
      incidents: (range: RangeName, limit: number) => listIncidents(INCIDENTS, range, now(), limit),
    }),
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    app,
    async get(path, headers = {}) {
      const r = await fetch(url + path, { headers });
      const text = await r.text();
      return { status: r.status, type: r.headers.get('content-type') ?? '', text, json: () => JSON.parse(text), headers: r.headers };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
