/**
 * /api/prometheus/targets in Prometheus' HTTP SD format, through the real app
 * (createApp): this node addressed as it was asked, enabled peers from their
 * base_url, labels for the node, behind the API key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { createApp } from '../../src/http/app.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import { createLocalNode } from '../../src/node/local.js';
import { createLogQueries } from '../../src/views/log-queries.js';
import { testConfig } from '../helpers/config.js';

const config = testConfig({
  interval_minutes: 1, data_directory: '/nonexistent', node_id: 'alpha', node_name: 'Alpha "one"', peer_refresh_seconds: 60,
  monitor_dns: { enabled: false, target: '1.1.1.1:53', interval_seconds: 60, timeout_seconds: 4 },
  targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false }],
  peers: [
    { id: 'beta', name: 'Beta', base_url: 'http://10.0.0.2:8080', enabled: true },
    { id: 'gamma', name: 'Gamma', base_url: 'https://monitor.example.com/jobs/gamma', enabled: true, api_key: 'peer-secret' },
    { id: 'delta', name: 'Delta (off)', base_url: 'http://10.0.0.4:8080', enabled: false },
    { id: 'v6', name: 'V6', base_url: 'http://[fd00::5]:9000', enabled: true },
  ],
  retention_days: 30,
  api_key: 'k3y',
});

async function serve(opts: { metrics: boolean }): Promise<{ port: number; server: Server }> {
  const history = createLogQueries(new SampleLog(), new ConnectivityLog());
  const local = createLocalNode({ config, history, now: Date.now, version: 't' });
  const registry = createMetricsRegistry({
    node: { id: config.node_id, name: config.node_name }, version: 't', targets: () => config.targets,
    latestStatus: () => undefined, uptime: () => [], peers: () => [],
    history: { pendingWrites: () => 0, droppedWrites: () => 0, lastWriteError: () => undefined },
    pool: () => ({ queued: 0, completed: 0, timeouts: 0, workerErrors: 0 }),
  }, { processMetrics: false });
  const app = createApp({
    local, peers: () => [], log: { info() {}, warn() {}, error() {} }, now: Date.now, historyCap: 200,
    health: () => ({ lastSampleAt: undefined, intervalMs: 60_000, startedAt: Date.now(), pendingWrites: 0, lastWriteError: undefined }),
    apiKey: config.api_key, publicDir: mkdtempSync(join(tmpdir(), 'jm-pub-')), peersConfig: config.peers,
    ...(opts.metrics ? { metrics: { registry: () => Promise.resolve(registry) } } : {}),
  });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}

/** GET with a chosen Host header (fetch does not let a caller set it). */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const auth = { Authorization: 'Bearer k3y' };

test('lists this node as asked and every enabled peer, with scheme, metrics path and node labels', async () => {
  const { port, server } = await serve({ metrics: true });
  try {
    const r = await get(port, '/api/prometheus/targets', { ...auth, Host: 'alpha.lan:8080' });
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/json; charset=utf-8$/, 'Prometheus only accepts application/json');
    const labels = (node: string, name: string, source: string, scheme = 'http', path = '/metrics') => ({
      __scheme__: scheme, __metrics_path__: path, jobmonitor_node: node, jobmonitor_node_name: name, jobmonitor_source: source,
    });
    assert.deepEqual(r.body, [
      { targets: ['alpha.lan:8080'], labels: labels('alpha', 'Alpha "one"', 'local') },
      { targets: ['10.0.0.2:8080'], labels: labels('beta', 'Beta', 'peer') },
      { targets: ['monitor.example.com:443'], labels: labels('gamma', 'Gamma', 'peer', 'https', '/jobs/gamma/metrics') },
      { targets: ['[fd00::5]:9000'], labels: labels('v6', 'V6', 'peer') },
    ]);
    assert.doesNotMatch(JSON.stringify(r.body), /peer-secret/, 'a peer\'s key is never handed out');
  } finally {
    server.close();
  }
});

test('needs the API key like the rest of /api, and refuses a Host it cannot use as an address', async () => {
  const { port, server } = await serve({ metrics: true });
  try {
    const anonymous = await get(port, '/api/prometheus/targets', { Host: 'alpha.lan:8080' });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code !== undefined, true);
    const bad = await get(port, '/api/prometheus/targets', { ...auth, Host: 'evil/../x' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /Host header/);
  } finally {
    server.close();
  }
});

test('an app without /metrics has no service discovery either', async () => {
  const { port, server } = await serve({ metrics: false });
  try {
    assert.equal((await get(port, '/api/prometheus/targets', { ...auth, Host: 'alpha.lan:8080' })).status, 404);
  } finally {
    server.close();
  }
});
