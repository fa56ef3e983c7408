/**
 * The compact feed (/api/cluster/summary, /api/cluster/node/:id) against the
 * real app: it says what /api/cluster says of the same data, node by node
 * and unit by unit, and a node whose data did not change is a 304.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandTimeline, type FeedNodeDetail, type FeedSummaryNode } from '../../src/views/cluster-feed.js';
import type { PeerSnapshot, TimelinePoint } from '../../src/types.js';
import { serveFixture } from './ops-fixture.js';

interface Summary {
  range: string;
  generated_at: string;
  range_start: string;
  range_end: string;
  nodes: FeedSummaryNode[];
}

/** Bucket times as instants (the original writes them with or without milliseconds). */
const instants = (points: readonly TimelinePoint[]) => points.map((p) => ({ ...p, start: Date.parse(p.start), end: Date.parse(p.end) }));

for (const range of ['24h', '30d'] as const) {
  test(`${range}: every node's summary and rows say what /api/cluster says`, async () => {
    const s = await serveFixture();
    try {
      const cluster = (await s.get(`/api/cluster?range=${range}`)).json() as { generated_at: string; range_start: string; range_end: string; nodes: PeerSnapshot[] };
      const summary = (await s.get(`/api/cluster/summary?range=${range}`)).json() as Summary;
      assert.equal(summary.range, range);
      assert.deepEqual([summary.generated_at, summary.range_start, summary.range_end], [cluster.generated_at, cluster.range_start, cluster.range_end]);
      assert.deepEqual(summary.nodes.map((n) => n.node), cluster.nodes.map((n) => n.node), 'the same nodes in the same order');

      for (const [i, snap] of cluster.nodes.entries()) {
        const brief = summary.nodes[i]!;
        for (const key of ['source', 'updated_at', 'stale', 'error', 'last_success_at', 'consecutive_failures', 'connectivity'] as const) {
          assert.deepEqual(brief[key], snap[key], `${snap.node.id}: ${key}`);
        }
        assert.equal(brief.status_at, snap.status?.timestamp);
        const withChecks = snap.services.filter((u) => u.total_checks > 0);
        const mean = withChecks.length ? withChecks.reduce((n, u) => n + u.uptime_percent, 0) / withChecks.length : null;
        assert.equal(brief.uptime, mean, `${snap.node.id}: mean uptime`);

        const r = await s.get(`/api/cluster/node/${encodeURIComponent(snap.node.id)}?range=${range}`);
        assert.equal(r.status, 200);
        const rows = r.json() as FeedNodeDetail;
        assert.deepEqual(rows.node, snap.node);
        const ids = new Set([...(snap.targets ?? []).map((t) => t.id), ...snap.services.map((u) => u.id), ...(snap.status?.checks ?? []).map((c) => c.id), ...(snap.service_timelines ?? []).map((t) => t.service_id)]);
        assert.deepEqual(rows.units.map((u) => u.id).sort(), [...ids].sort(), `${snap.node.id}: every unit once`);
        assert.deepEqual(brief.units.map((u) => u[0]), rows.units.map((u) => u.id), 'the summary lists the same units in the same order');
        for (const u of rows.units) {
          const uptime = snap.services.find((x) => x.id === u.id);
          assert.deepEqual(u.uptime === undefined ? undefined : { id: u.id, name: uptime?.name, ...u.uptime }, uptime, `${u.id}: uptime`);
          const latest = snap.status?.checks.find((c) => c.id === u.id);
          const { duration_ms: _d, ...shown } = latest ?? { duration_ms: 0 };
          assert.deepEqual(u.check, latest && shown, `${u.id}: latest check (without duration_ms, which the dashboard does not show)`);
          assert.equal((u.check as { duration_ms?: number } | undefined)?.duration_ms, undefined, `${u.id}: no duration_ms in the feed`);
          assert.equal(u.url, snap.targets?.find((t) => t.id === u.id)?.url, `${u.id}: url`);
          const timeline = snap.service_timelines?.find((t) => t.service_id === u.id);
          assert.equal(u.name, timeline?.service_name ?? u.name);
          assert.deepEqual(instants(expandTimeline(u.timeline ?? '', rows.buckets!, u.details)), instants(timeline?.timeline ?? []), `${u.id}: timeline`);
        }
        const problems = brief.problems.map((p) => p.id);
        assert.deepEqual(brief.problems, rows.units.filter((u) => problems.includes(u.id)), 'a problem row is the full row');
      }
    } finally {
      await s.close();
    }
  });
}

test('the summary shows each unit as its row badge does, and lists the problem rows in full', async () => {
  const s = await serveFixture();
  try {
    const local = ((await s.get('/api/cluster/summary')).json() as Summary).nodes[0]!;
    assert.deepEqual(local.units, [
      ['web', 'Web', 'active', 'ok'],
      ['db', 'Database', 'failed', 'error'],
      ['odd', '<b>"Odd" & co</b>', 'activating', 'warn'],
      ['new', 'New', 'no data', 'unknown'],
    ]);
    // Every row a folded card still shows (anything not ok, "no data" too) comes in full.
    assert.deepEqual(local.problems.map((u) => u.id), ['db', 'odd', 'new']);
    assert.equal(local.problems[0]!.check?.sub_state, 'failed');
    assert.match(local.problems[0]!.timeline ?? '', /^[sm]+e$/, 'db: fine, then failed in the newest bucket');
    // The probe failed once: the share is counted on the server, no failing run is going on.
    assert.deepEqual(local.connectivity_counts, { ok: 29, total: 30, first: '2026-11-28T11:30:00.000Z' });
    assert.equal(local.connectivity_history, undefined);
    const [, stale, never] = ((await s.get('/api/cluster/summary')).json() as Summary).nodes;
    assert.equal(stale!.stale, true);
    assert.equal(stale!.units.length, 1);
    assert.deepEqual(never!.units, []);
    assert.match(never!.error ?? '', /timeout/);
  } finally {
    await s.close();
  }
});

test('kept per data version: an unchanged node answers 304, a refreshed peer new rows', async () => {
  let peers = 0;
  const s = await serveFixture({ versions: { peers: () => peers } });
  try {
    const first = await s.get('/api/cluster/summary');
    const local = await s.get('/api/cluster/node/n1');
    const peer = await s.get('/api/cluster/node/b');
    for (const r of [first, local, peer]) assert.match(r.headers.get('etag') ?? '', /^"[\w-]+"$/);
    const ifNone = (r: { headers: Headers }) => ({ 'If-None-Match': r.headers.get('etag')! });
    assert.equal((await s.get('/api/cluster/summary', ifNone(first))).status, 304);
    assert.equal((await s.get('/api/cluster/node/b', ifNone(peer))).status, 304);

    peers++; // a peer refresh
    const again = await s.get('/api/cluster/summary', ifNone(first));
    assert.equal(again.status, 200);
    assert.notEqual(again.headers.get('etag'), first.headers.get('etag'));
    assert.equal((await s.get('/api/cluster/node/b', ifNone(peer))).status, 200, "the peers' rows were built again");
    assert.equal((await s.get('/api/cluster/node/n1', ifNone(local))).status, 304, 'the local node did not change: nothing to download');
  } finally {
    await s.close();
  }
});

test('an unknown node is a 404 and an unknown range a 400, each saying what', async () => {
  const s = await serveFixture();
  try {
    const missing = await s.get('/api/cluster/node/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.json().error.message, /no node "nope"/);
    assert.equal((await s.get(`/api/cluster/node/${'x'.repeat(300)}`)).status, 404);
    const bad = await s.get('/api/cluster/summary?range=7d');
    assert.equal(bad.status, 400);
    assert.match(bad.json().error.message, /range: unknown value "7d"/);
  } finally {
    await s.close();
  }
});
