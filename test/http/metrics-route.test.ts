import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScrape } from '../metrics/prom-text.js';
import { serveFixture } from './ops-fixture.js';

test('/metrics: Prometheus text with the node\'s state, consistent with the API', async () => {
  const s = await serveFixture();
  try {
    const r = await s.get('/metrics');
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    const m = parseScrape(r.text);
    assert.equal(m.value('jobmonitor_target_up', { node: 'n1', target: 'web', service: 'nginx.service' }), 1);
    assert.equal(m.value('jobmonitor_target_up', { target: 'db' }), 0);
    assert.equal(m.value('jobmonitor_target_state', { target: 'db', state: 'failed' }), 1);
    assert.equal(m.value('jobmonitor_target_state', { target: 'odd', state: 'activating' }), 1);
    assert.equal(m.value('jobmonitor_target_restarts', { target: 'db' }), 3);
    assert.equal(m.value('jobmonitor_check_duration_seconds', { target: 'db' }), 0.034);
    assert.equal(m.value('jobmonitor_dns_probe_up'), 1);
    assert.equal(m.value('jobmonitor_dns_probe_latency_seconds'), 0.0115);
    assert.equal(m.value('jobmonitor_peer_consecutive_failures', { peer: 'b' }), 4);

    const uptime = (await s.get('/api/node/uptime?range=24h')).json() as { services: { id: string; passing: number; total_checks: number }[] };
    for (const row of uptime.services.filter((u) => u.total_checks > 0)) {
      assert.equal(m.value('jobmonitor_target_uptime_ratio', { target: row.id, window: '24h' }), row.passing / row.total_checks, row.id);
    }
    assert.ok(m.value('jobmonitor_target_uptime_ratio', { target: 'db', window: '24h' }) < 1);
    assert.deepEqual(m.find('jobmonitor_target_up', { target: 'new' }), []);
    assert.equal((await fetch(`${s.url}/metrics`, { method: 'HEAD' })).status, 200);
  } finally {
    await s.close();
  }
});

test('/metrics follows the api_key like /api/*, unless metrics_public', async () => {
  const s = await serveFixture({ apiKey: 'k3y' });
  try {
    const none = await s.get('/metrics');
    assert.equal(none.status, 401);
    assert.equal(none.json().error.code, 'unauthorized');
    assert.equal((await s.get('/metrics', { Authorization: 'Bearer wrong' })).status, 401);
    const ok = await s.get('/metrics', { Authorization: 'Bearer k3y' });
    assert.equal(ok.status, 200);
    assert.ok(parseScrape(ok.text).find('jobmonitor_target_up').length > 0);
  } finally {
    await s.close();
  }
  const open = await serveFixture({ apiKey: 'k3y', metricsPublic: true });
  try {
    assert.equal((await open.get('/metrics')).status, 200);
    assert.equal((await open.get('/api/node/status')).status, 401, 'the API keeps its key');
  } finally {
    await open.close();
  }
});
