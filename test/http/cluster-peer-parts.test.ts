/**
 * The cluster answers kept per peer (src/http/cluster-parts.ts, the poller's
 * views, src/peers/peer-version.ts), with two real nodes of ours over HTTP and
 * the real poller and app, wired as the daemon wires them: after a refresh in
 * which only peer A brought a new sample, B's rows are the same kept answer
 * (its ETag holds, a 304), A's are new, and the summary and /api/cluster are
 * new answers that say what each peer says now.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPeerClient } from '../../src/peers/client.js';
import { createPeerPoller } from '../../src/peers/poller.js';
import type { Cluster, StatusEntry } from '../../src/types.js';
import type { FeedSummaryNode } from '../../src/views/cluster-feed.js';
import { serveClusterApp } from '../helpers/cluster-app.js';
import { startOurNode, type OurNode } from '../helpers/fake-peer.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const cleanup: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

const TARGETS = Array.from({ length: 6 }, (_, i) => ({ id: `svc-${i}`, name: `Service ${i}`, service: `svc-${i}.service` }));
const sample = (ms: number): StatusEntry => ({
  timestamp: new Date(ms).toISOString(),
  checks: TARGETS.map((t, i) => ({ id: t.id, name: t.name, ok: i !== 2, state: i !== 2 ? 'active' : 'failed' })),
});

async function node(id: string, start: number): Promise<OurNode> {
  const n = await startOurNode({ nodeId: id, intervalMinutes: 1, targets: TARGETS });
  cleanup.push(() => n.close());
  for (let i = 0; i < 30; i++) n.status.append(sample(start + i * 60_000));
  return n;
}

test("a new sample on peer A rebuilds A's parts only: B's rows keep their ETag, the summary and /api/cluster are new", async () => {
  const start = Date.now() - 40 * 60_000;
  const [a, b] = [await node('node-a', start), await node('node-b', start)];
  let refreshes = 0;
  const p = createPeerPoller({
    config: {
      node_id: 'agg', interval_minutes: 1, peer_refresh_seconds: 15, data_directory: '/nonexistent', retention_days: 30,
      peers: [a, b].map((n, i) => ({ id: `node-${'ab'[i]}`, name: `node-${'ab'[i]}`, base_url: n.url, enabled: true })),
    },
    client: createPeerClient({ version: 't', requestTimeoutMs: 2000, connectTimeoutMs: 1000, retryDelayMs: 10 }),
    log: quiet,
    persist: false,
    onRefresh: () => void refreshes++,
  });
  cleanup.push(() => p.stop());
  // The app's clock stands still: every answer below is in one time bucket, so only data moves them.
  const at = Date.now() + 60_000;
  const served = await serveClusterApp(p, { nodeId: 'agg', now: () => at, targets: TARGETS, wired: { refreshes: () => refreshes } });
  cleanup.push(() => served.close());
  const url = served.url;
  const get = (path: string, etag?: string) => fetch(url + path, { headers: etag !== undefined ? { 'If-None-Match': etag } : {} });
  const etag = async (path: string) => (await get(path)).headers.get('etag')!;

  await p.refreshAll();
  const before = {
    summary: await etag('/api/cluster/summary'), cluster: await etag('/api/cluster'),
    a: await etag('/api/cluster/node/node-a'), b: await etag('/api/cluster/node/node-b'),
  };
  assert.equal((await get('/api/cluster/node/node-b', before.b)).status, 304);
  const bSummary = ((await (await get('/api/cluster/summary')).json()) as { nodes: FeedSummaryNode[] }).nodes[2]!;

  a.status.append(sample(start + 30 * 60_000));
  const counted = refreshes;
  await p.refreshAll(); // both peers refreshed; only A brought anything new
  assert.equal(refreshes, counted + 2, 'both peers were refreshed');

  const bRows = await get('/api/cluster/node/node-b', before.b);
  assert.equal(bRows.status, 304, "B's rows are the answer kept before A's refresh (and B's own, which brought nothing new)");
  assert.equal(bRows.headers.get('etag'), before.b);
  const aRows = await get('/api/cluster/node/node-a', before.a);
  assert.equal(aRows.status, 200, "A's rows were built again");
  const units = ((await aRows.json()) as { units: Array<{ id: string; uptime?: { passing: number } }> }).units;
  assert.equal(units.find((u) => u.id === 'svc-0')?.uptime?.passing, 31, 'with the new sample');

  const summary = await get('/api/cluster/summary', before.summary);
  assert.equal(summary.status, 200, 'the summary is a new answer');
  const cluster = await get('/api/cluster', before.cluster);
  assert.equal(cluster.status, 200, '/api/cluster is a new answer');
  const nodes = ((await summary.json()) as { nodes: FeedSummaryNode[] }).nodes;
  const full = (await cluster.json()) as Cluster;
  assert.deepEqual(nodes.map((n) => n.node.id), ['agg', 'node-a', 'node-b']);
  // B's part of the summary took B's new sync fields without B's rows being built again.
  assert.notEqual(nodes[2]!.last_success_at, bSummary.last_success_at, "B's last refresh moved");
  for (const [i, n] of nodes.entries()) {
    for (const key of ['updated_at', 'last_success_at', 'stale', 'consecutive_failures'] as const) {
      assert.deepEqual(n[key], full.nodes[i]![key], `${n.node.id}: ${key} as /api/cluster says`);
    }
  }
  const { last_success_at: _x, updated_at: _y, ...bNow } = nodes[2]!;
  const { last_success_at: _z, updated_at: _w, ...bThen } = bSummary;
  assert.deepEqual(bNow, bThen, "the rest of B's summary is unchanged");
  assert.equal(nodes[1]!.status_at, new Date(start + 30 * 60_000).toISOString(), "A's summary shows its new sample");
});
