/**
 * Test helper: the real app over in-memory logs the test can append to, a
 * clock it can move, peers whose snapshots and version it controls, and
 * incidents; requests are raw (no decompression) so bytes can be compared.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { AnswerCache } from '../../src/http/answer-cache.js';
import { createApp } from '../../src/http/app.js';
import { guardConnections, type ConnectionLimits } from '../../src/http/connections.js';
import { listIncidents } from '../../src/incidents/list.js';
import type { StoredIncident } from '../../src/incidents/types.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { createLocalNode, type LocalNode } from '../../src/node/local.js';
import { buildSnapshot } from '../../src/node/snapshot.js';
import type { PeerSnapshot, RangeName, StatusEntry } from '../../src/types.js';
import { createLogQueries } from '../../src/views/log-queries.js';
import { testConfig } from '../helpers/config.js';

export const NOW = Date.parse('2026-11-28T12:00:00Z');
export const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function sample(at: number, units: number, round: number, pad = ''): StatusEntry {
  return {
    timestamp: iso(at),
    checks: Array.from({ length: units }, (_, u) => {
      const ok = (u + round) % 11 !== 0;
      return { id: `unit-${u}${pad}`, name: `Unit ${u}${pad}`, ok, state: ok ? 'active' : 'failed', ...(ok ? {} : { error: 'failed' }) };
    }),
  };
}

export interface AnswerFixture {
  url: string;
  local: LocalNode;
  status: SampleLog;
  conn: ConnectivityLog;
  cache: AnswerCache;
  /** Moves the app's clock. */
  setNow(ms: number): void;
  now(): number;
  /** Appends one sample at the current clock. */
  addSample(): void;
  /** A peer refresh: new peer snapshots and a new peers version. */
  refreshPeers(): void;
  peers(range: RangeName): PeerSnapshot[];
  incidents(range: RangeName, limit: number): unknown;
  errors: string[];
  server: Server;
  close(): Promise<void>;
}

export interface AnswerFixtureOptions {
  units?: number;
  samples?: number;
  limits?: ConnectionLimits;
  cache?: AnswerCache;
  /** The most history entries an answer holds (default 200). */
  historyCap?: number;
  /** Appended to every unit's id and name (long names make large answers from few samples). */
  pad?: string;
  /** api_key of the app (none by default). */
  apiKey?: string;
  /** Origins allowed by CORS (none by default). */
  corsOrigins?: string[];
}

export async function answerFixture(opts: AnswerFixtureOptions = {}): Promise<AnswerFixture> {
  const units = opts.units ?? 20;
  let now = NOW;
  let round = 0;
  const status = new SampleLog();
  const n = opts.samples ?? 90;
  const pad = opts.pad ?? '';
  for (let i = n; i >= 1; i--) status.append(sample(NOW - i * MIN, units, i, pad));
  const conn = new ConnectivityLog();
  for (let i = 30; i >= 1; i--) conn.append({ target: '1.1.1.1:53', ok: i !== 7, latency_ms: 10 + i, ...(i === 7 ? { error: 'timeout' } : {}), checked_at: iso(NOW - i * MIN) });
  const cfg = testConfig({
    interval_minutes: 1, data_directory: '/nonexistent', node_id: 'n1', node_name: 'Node 1', peer_refresh_seconds: 60,
    monitor_dns: { enabled: true, target: '1.1.1.1:53', interval_seconds: 60, timeout_seconds: 4 },
    targets: Array.from({ length: units }, (_, u) => ({ id: `unit-${u}${pad}`, name: `Unit ${u}${pad}`, service: `unit-${u}.service`, timeout_seconds: 15, use_sudo: false })),
    peers: [], retention_days: 30,
  });
  const history = createLogQueries(status, conn);
  const local = createLocalNode({ config: cfg, history, now: () => now, version: 'test' });
  const peerLog = new SampleLog();
  for (let i = 40; i >= 2; i--) peerLog.append(sample(NOW - i * MIN, 5, i));
  const peerHistory = createLogQueries(peerLog, new ConnectivityLog());
  let peersVersion = 0;
  const peers = (range: RangeName): PeerSnapshot[] => {
    const w = local.window(range);
    const snap = buildSnapshot({
      node: { id: 'b', name: 'Node B', interval_minutes: 1 }, history: peerHistory, services: [{ id: 'unit-1', name: 'Unit 1' }],
      intervalMs: MIN, updatedAt: NOW - 2 * MIN + peersVersion, source: 'peer', completeUntil: NOW - 2 * MIN,
    }, w);
    return [{ ...snap, stale: false, consecutive_failures: peersVersion }];
  };
  const incidentList: StoredIncident[] = [{
    id: 'unit:unit-0:1', kind: 'unit', subject: 'unit-0', name: 'Unit 0', node: 'n1',
    started_at: iso(NOW - 30 * MIN), last_failure_at: iso(NOW - MIN), states: ['failed'], errors: ['failed'], samples: 30,
  }];
  const incidents = (range: RangeName, limit: number) => listIncidents(incidentList, range, now, limit);
  const registry = createMetricsRegistry({
    node: { id: 'n1', name: 'Node 1' }, version: 'test', targets: () => cfg.targets,
    latestStatus: () => history.latestStatus(),
    uptime: (range) => history.uptime(cfg.targets, local.window(range), local.intervalMs()),
    peers: () => [], history: { pendingWrites: () => 0, droppedWrites: () => 0, lastWriteError: () => undefined },
    pool: () => ({ queued: 0, completed: 0, timeouts: 0, workerErrors: 0 }),
  }, { now: () => now, processMetrics: false });
  const pub = mkdtempSync(join(tmpdir(), 'jm-pub-'));
  writeFileSync(join(pub, 'index.html'), `<!doctype html><title>x</title>${'<p>padding</p>'.repeat(400)}`);
  const errors: string[] = [];
  const cache = opts.cache ?? new AnswerCache();
  const app = createApp({
    local, peers, log: { info() {}, warn() {}, error: (m) => errors.push(m) }, now: () => now,
    health: () => ({ lastSampleAt: now - MIN, intervalMs: MIN, startedAt: NOW - 3_600_000, pendingWrites: 0, lastWriteError: undefined }),
    historyCap: opts.historyCap ?? 200, publicDir: pub, metrics: { registry: () => Promise.resolve(registry) }, incidents,
    answers: cache, versions: { peers: () => peersVersion, incidents: () => 0 },
    ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}), ...(opts.corsOrigins !== undefined ? { corsOrigins: opts.corsOrigins } : {}),
  });
  const server: Server = createServer(app.callback());
  guardConnections(server, opts.limits);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    local, status, conn, cache, errors, peers, incidents, server,
    setNow: (ms) => void (now = ms),
    now: () => now,
    addSample: () => void status.append(sample(now, units, ++round, pad)),
    refreshPeers: () => void peersVersion++,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Header names and values as sent, in order. */
  rawHeaders: string[];
  body: Buffer;
}

/** GET (or `method`) without any decoding; headers exactly as given (no Accept-Encoding unless set). */
export function rawGet(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
