/** GET /api/incidents through the real app (createApp), on an ephemeral 127.0.0.1 port. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/http/app.js';
import { createLocalNode } from '../../src/node/local.js';
import { createLogQueries as createHistoryQueries } from '../../src/views/log-queries.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { listIncidents } from '../../src/incidents/list.js';
import type { IncidentList, StoredIncident } from '../../src/incidents/types.js';
import type { RangeName } from '../../src/types.js';
import { testConfig } from '../helpers/config.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const H = 3_600_000;

const incidents: StoredIncident[] = [
  { id: 'unit:web:1', kind: 'unit', subject: 'web', name: 'Web', node: 'n1', started_at: new Date(NOW - H).toISOString(), last_failure_at: new Date(NOW - 60_000).toISOString(), states: ['failed'], errors: ['failed (exit-code)'], samples: 12 },
  { id: 'unit:db:1', kind: 'unit', subject: 'db', name: 'DB', node: 'n1', started_at: new Date(NOW - 3 * H).toISOString(), ended_at: new Date(NOW - 2 * H).toISOString(), last_failure_at: new Date(NOW - 2 * H - 60_000).toISOString(), states: ['inactive'], errors: [], samples: 60 },
];

async function serve(apiKey?: string) {
  const config = testConfig({
    interval_minutes: 1, data_directory: '/nonexistent', node_id: 'n1', node_name: 'Node 1', peer_refresh_seconds: 60,
    monitor_dns: { enabled: false, target: '1.1.1.1', interval_seconds: 60, timeout_seconds: 4 },
    targets: [{ id: 'web', name: 'Web', service: 'web.service', timeout_seconds: 15, use_sudo: false }],
    peers: [], retention_days: 30,
  });
  const local = createLocalNode({ config, history: createHistoryQueries(new SampleLog(), new ConnectivityLog()), now: () => NOW, version: 'test' });
  const pub = mkdtempSync(join(tmpdir(), 'jm-pub-'));
  writeFileSync(join(pub, 'index.html'), '<!doctype html><title>x</title>');
  const asked: Array<[RangeName, number]> = [];
  const app = createApp({
    local, peers: () => [], log: { info() {}, warn() {}, error() {} }, now: () => NOW,
    health: () => ({ lastSampleAt: NOW, intervalMs: 60_000, startedAt: NOW - H, pendingWrites: 0, lastWriteError: undefined }),
    historyCap: 200, apiKey, publicDir: pub,
    incidents: (range, limit) => {
      asked.push([range, limit]);
      return listIncidents(incidents, range, NOW, limit);
    },
  });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, asked, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('GET /api/incidents', () => {
  it('answers open incidents first, then resolved ones, each with its duration', async () => {
    const s = await serve();
    try {
      const res = await fetch(`${s.url}/api/incidents?range=30d`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as IncidentList;
      assert.equal(body.range, '30d');
      assert.equal(body.range_end, '2026-11-28T12:00:00.000Z');
      assert.deepEqual(body.open.map((i) => [i.id, i.duration_seconds, i.ended_at]), [['unit:web:1', 3600, undefined]]);
      assert.deepEqual(body.resolved.map((i) => [i.id, i.duration_seconds, i.ended_at]), [['unit:db:1', 3600, '2026-11-28T10:00:00.000Z']]);
      assert.deepEqual(Object.keys(body.resolved[0]!).sort(), [
        'duration_seconds', 'ended_at', 'errors', 'id', 'kind', 'last_failure_at', 'name', 'node', 'samples', 'started_at', 'states', 'subject',
      ]);
      await fetch(`${s.url}/api/incidents?range=1d&limit=5`);
      await fetch(`${s.url}/api/incidents`);
      assert.deepEqual(s.asked, [['30d', 1000], ['24h', 5], ['24h', 1000]], 'aliases and the default range, limit capped');
    } finally {
      await s.close();
    }
  });

  it('refuses an unknown range with a 400 naming it', async () => {
    const s = await serve();
    try {
      const res = await fetch(`${s.url}/api/incidents?range=7d`);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: { message: 'range: unknown value "7d" (use 24h or 30d)', code: 'bad_query' } });
    } finally {
      await s.close();
    }
  });

  it('is behind the api key like the rest of the API', async () => {
    const s = await serve('k3y');
    try {
      assert.equal((await fetch(`${s.url}/api/incidents`)).status, 401);
      assert.equal((await fetch(`${s.url}/api/incidents`, { headers: { Authorization: 'Bearer k3y' } })).status, 200);
    } finally {
      await s.close();
    }
  });
});
