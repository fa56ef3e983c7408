/**
 * The HTTP layer driven with no port (app.callback() on an ephemeral
 * 127.0.0.1 server): auth, errors, methods, static files, CORS, headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/http/app.js';
import { createLocalNode } from '../../src/node/local.js';
import { createLogQueries as createHistoryQueries } from '../../src/views/log-queries.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import type { Config } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { testConfig } from '../helpers/config.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');

function config(over: Partial<Config> = {}): Config {
  return testConfig({
    interval_minutes: 1, data_directory: '/nonexistent', node_id: 'n1', node_name: 'Node 1', peer_refresh_seconds: 60,
    monitor_dns: { enabled: false, target: '1.1.1.1', interval_seconds: 60, timeout_seconds: 4 },
    targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false }],
    peers: [], retention_days: 30, ...over,
  });
}

async function serve(over: Partial<Config> = {}, corsOrigins: string[] = []): Promise<{ url: string; close: () => Promise<void> }> {
  const log = new SampleLog();
  for (let i = 5; i >= 1; i--) {
    log.append({ timestamp: new Date(NOW - i * 60_000).toISOString(), checks: [{ id: 'web', name: 'Web', ok: i % 2 === 0, state: i % 2 === 0 ? 'active' : 'failed', ...(i % 2 === 0 ? {} : { error: 'failed' }) }] });
  }
  const cfg = config(over);
  const local = createLocalNode({ config: cfg, history: createHistoryQueries(log, new ConnectivityLog()), now: () => NOW, version: 'test' });
  const pub = mkdtempSync(join(tmpdir(), 'jm-pub-'));
  writeFileSync(join(pub, 'index.html'), '<!doctype html><title>x</title>');
  mkdirSync(join(pub, 'src'));
  writeFileSync(join(pub, 'src', 'secret.ts'), 'source');
  const app = createApp({
    local, peers: () => [], log: { info() {}, warn() {}, error() {} }, now: () => NOW,
    health: () => ({ lastSampleAt: NOW - 60_000, intervalMs: 60_000, startedAt: NOW - 3_600_000, pendingWrites: 0, lastWriteError: undefined }),
    historyCap: 200, apiKey: cfg.api_key, publicDir: pub, corsOrigins,
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

test('api_key: no key and a wrong key get 401 JSON; the right key passes; healthz and the page stay open', async () => {
  const s = await serve({ api_key: 's3cret' });
  try {
    const none = await fetch(`${s.url}/api/node/status`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('content-type') ?? '', /json/);
    assert.match(((await none.json()) as { error: { message: string } }).error.message, /missing bearer token/);
    const wrong = await fetch(`${s.url}/api/node/status`, { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(((await wrong.json()) as { error: unknown }).error, { message: 'invalid api key', code: 'unauthorized' });
    const right = await fetch(`${s.url}/api/node/status`, { headers: { Authorization: 'Bearer s3cret' } });
    assert.equal(right.status, 200);
    assert.equal(((await right.json()) as { node: { id: string } }).node.id, 'n1');
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${s.url}/`)).status, 200);
  } finally {
    await s.close();
  }
});

test('repeated wrong keys from one address are rate-limited with 429', async () => {
  const s = await serve({ api_key: 'k' });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await fetch(`${s.url}/api/status`, { headers: { Authorization: 'Bearer x' } })).status);
    assert.equal(statuses[0], 401);
    assert.equal(statuses.at(-1), 429);
    // Once limited, even the right key waits for the window to pass.
    const r = await fetch(`${s.url}/api/status`, { headers: { Authorization: 'Bearer k' } });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await s.close();
  }
});

test('bad requests get 4xx JSON, never a stack trace', async () => {
  const s = await serve();
  try {
    const cases: [string, RequestInit | undefined, number][] = [
      ['/api/nope', undefined, 404],
      ['/api/node/status', { method: 'POST' }, 405],
      ['/api/node/status', { method: 'DELETE' }, 405],
      ['/api/node/history?since=yesterday', undefined, 400],
      [`/api/node/history?range=${'x'.repeat(5000)}`, undefined, 400],
      ['/src/secret.ts', undefined, 404],
      ['/..%2f..%2fetc%2fpasswd', undefined, 404],
      ['/dist/..%2f..%2fpackage.json', undefined, 404],
    ];
    for (const [path, init, status] of cases) {
      const r = await fetch(s.url + path, init);
      const text = await r.text();
      assert.equal(r.status, status, `${path} -> ${r.status} ${text}`);
      assert.doesNotMatch(text, /at .*\.js:\d+|Error:/, `${path} leaks a stack`);
      assert.ok(typeof (JSON.parse(text) as { error: { message: string } }).error.message === 'string');
    }
    // The compatible routes fall back to 24h and the maximum limit, as the original.
    const h = (await (await fetch(`${s.url}/api/node/history?range=bogus&limit=-3`)).json()) as { range: string; history: unknown[] };
    assert.equal(h.range, '24h');
    assert.equal(h.history.length, 5);
    const l = (await (await fetch(`${s.url}/api/node/history?limit=2`)).json()) as { history: { timestamp: string }[] };
    assert.deepEqual(l.history.map((e) => e.timestamp), [new Date(NOW - 2 * 60_000).toISOString(), new Date(NOW - 60_000).toISOString()]);
    const since = (await (await fetch(`${s.url}/api/node/history?since=${new Date(NOW - 3 * 60_000).toISOString()}`)).json()) as { history: unknown[] };
    assert.equal(since.history.length, 2, 'since returns only newer entries');
  } finally {
    await s.close();
  }
});

test('security headers on every response; CORS only for configured origins', async () => {
  const s = await serve({}, ['http://127.0.0.1:9']);
  try {
    const page = await fetch(`${s.url}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const allowed = await fetch(`${s.url}/api/node/status`, { headers: { Origin: 'http://127.0.0.1:9' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://127.0.0.1:9');
    const other = await fetch(`${s.url}/api/node/status`, { headers: { Origin: 'http://evil.invalid' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const pre = await fetch(`${s.url}/api/cluster`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:9', 'Access-Control-Request-Headers': 'authorization' } });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  } finally {
    await s.close();
  }
});

test('large API answers are gzip-compressed', async () => {
  const s = await serve();
  try {
    const r = await fetch(`${s.url}/api/cluster?range=30d`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    const body = (await r.json()) as { nodes: { source: string }[] };
    assert.equal(body.nodes[0]?.source, 'local');
  } finally {
    await s.close();
  }
});

test('the streamed history is the same document as the built one, at every batch boundary', async () => {
  const log = new SampleLog();
  for (let i = 600; i >= 1; i--) {
    log.append({ timestamp: new Date(NOW - i * 60_000).toISOString(), checks: [{ id: 'web', name: 'Web', ok: true, state: 'active' }] });
  }
  const local = createLocalNode({ config: config(), history: createHistoryQueries(log, new ConnectivityLog()), now: () => NOW, version: 't' });
  for (const limit of [1, 255, 256, 257, 512, 600, 8645]) {
    const streamed = JSON.parse([...local.historyChunks('24h', limit)].join('')) as Record<string, unknown>;
    assert.deepEqual(streamed, JSON.parse(JSON.stringify(local.historyBody('24h', limit))), `limit ${limit}`);
  }
  const none = JSON.parse([...local.historyChunks('24h', 10, NOW)].join('')) as { history: unknown[] };
  assert.deepEqual(none.history, []);
});

test('with since, limit keeps the oldest entries and says there are more (forward paging)', async () => {
  const log = new SampleLog();
  for (let i = 100; i >= 1; i--) log.append({ timestamp: new Date(NOW - i * 60_000).toISOString(), checks: [{ id: 'web', name: 'Web', ok: true, state: 'active' }] });
  const local = createLocalNode({ config: config(), history: createHistoryQueries(log, new ConnectivityLog()), now: () => NOW, version: 't' });
  let since = NOW - 101 * 60_000;
  const seen: string[] = [];
  for (let page = 0; page < 10; page++) {
    const body = local.historyBody('24h', 30, since) as { history: { timestamp: string }[]; more: boolean };
    seen.push(...body.history.map((e) => e.timestamp));
    if (!body.more) break;
    since = Date.parse(body.history.at(-1)!.timestamp);
  }
  assert.equal(seen.length, 100);
  assert.deepEqual(seen, [...seen].sort(), 'pages come oldest first, in order, without overlap');
  assert.equal(new Set(seen).size, 100);
  // Without since, limit keeps the newest entries, as the original.
  const plain = local.historyBody('24h', 30) as { history: { timestamp: string }[] };
  assert.equal(plain.history[0]!.timestamp, new Date(NOW - 30 * 60_000).toISOString());
});

test('the key cannot be bypassed by the spelling of the path', async () => {
  const s = await serve({ api_key: 'k' });
  try {
    for (const p of ['/API/node/status', '/Api/cluster', '/api/NODE/status', '/API/openapi.json', '/aPi/status']) {
      const r = await fetch(s.url + p);
      assert.ok(r.status === 401 || r.status === 404, `${p} -> ${r.status}`);
      assert.notEqual(r.status, 200);
    }
    // Requests without any key are not guesses: they never lock out the address.
    for (let i = 0; i < 30; i++) await fetch(`${s.url}/api/status`);
    assert.equal((await fetch(`${s.url}/api/status`, { headers: { Authorization: 'Bearer k' } })).status, 200);
  } finally {
    await s.close();
  }
});

test('log lines cannot be forged by text with newlines', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), now: () => NOW });
  log.warn('peer x: invalid JSON ("x\n2026/11/28 12:00:00 peer x: sync recovered")');
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /\n/);
  assert.match(lines[0]!, /\\n2026\/11\/28/);
});
