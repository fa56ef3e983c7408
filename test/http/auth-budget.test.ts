import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey, createAuthFailures } from '../../src/http/auth.js';
import { createApp } from '../../src/http/app.js';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { createLocalNode } from '../../src/node/local.js';
import { createLogQueries } from '../../src/views/log-queries.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Registry } from 'prom-client';
import { testConfig } from '../helpers/config.js';

describe('wrong-key budget: who is counted', () => {
  it('an IPv6 address counts as its /64, however it is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:0:0:0:9', '2001:DB8:1:2::abcd', '2001:db8:1:2::1%eth0', '2001:db8:1:2:0:0:1.2.3.4']) {
      assert.equal(clientKey(ip), key, ip);
    }
    assert.equal(clientKey('2001:db8:1:3::1'), '2001:db8:1:3::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1'), 'fe80:0:0:0::/64');
  });
  it('an IPv4 address (also IPv4-mapped) counts alone', () => {
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.notEqual(clientKey('192.0.2.8'), clientKey('192.0.2.7'));
  });
  it('a spray of addresses from one /64 shares one budget', () => {
    const f = createAuthFailures({ maxFailures: 3, now: () => 0 });
    for (let i = 1; i <= 3; i++) f.record(`2001:db8::${i.toString(16)}`);
    assert.equal(f.blockedFor('2001:db8::ffff'), 60);
    assert.equal(f.blockedFor('2001:db8:0:1::1'), undefined, 'the next /64 is another client');
  });
});

describe('wrong-key budget: one for /api/* and /metrics', () => {
  it('wrong keys on /metrics use up the budget of /api/* and back', async () => {
    const config = testConfig({
      interval_minutes: 1, data_directory: '/nonexistent', node_id: 'n', node_name: 'N', peer_refresh_seconds: 60,
      monitor_dns: { enabled: false, target: '127.0.0.1', interval_seconds: 60, timeout_seconds: 4 },
      targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false }], peers: [], retention_days: 30, api_key: 'right',
    });
    const local = createLocalNode({ config, history: createLogQueries(new SampleLog(), new ConnectivityLog()), now: Date.now, version: 't' });
    const app = createApp({
      local, peers: () => [], log: { info() {}, warn() {}, error() {} }, now: Date.now, historyCap: 200, apiKey: 'right', publicDir: tmpdir(),
      health: () => ({ lastSampleAt: undefined, intervalMs: 60_000, startedAt: 0, pendingWrites: 0, lastWriteError: undefined }),
      metrics: { registry: () => Promise.resolve(new Registry()) },
    });
    const server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const get = (path: string, key: string) => fetch(url + path, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
      for (let i = 0; i < 10; i++) assert.equal(await get('/metrics', 'wrong'), 401);
      for (let i = 0; i < 10; i++) assert.equal(await get('/api/node/status', 'wrong'), 401);
      assert.equal(await get('/api/node/status', 'wrong'), 429, 'the 21st wrong key, half of them on /metrics');
      assert.equal(await get('/metrics', 'wrong'), 429);
      assert.equal(await get('/metrics', 'right'), 429, 'blocked for the window, even with the right key');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
