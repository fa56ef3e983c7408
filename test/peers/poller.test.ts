import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerConfig } from '../../src/config/types.js';
import { createPeerClient, type PeerClientOptions } from '../../src/peers/client.js';
import { createPeerPoller, type PeerPoller, type PeerPollerOptions } from '../../src/peers/poller.js';
import type { PeerSnapshot, ServiceTimeline } from '../../src/types.js';
import {
  capture, endless, hang, json, lyingLength, originalNode, redirect, routes, startFakePeer, startOurNode, text, trickle, type FakePeer,
} from '../helpers/fake-peer.js';
import { serveClusterApp } from '../helpers/cluster-app.js';

/** The moment node-a captured /api/cluster?range=24h (node-a-cluster-24h in the reference captures). */
const CAPTURED_AT = Date.parse('2026-11-28T10:38:11.592Z');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const cleanup: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function fake(handler: Parameters<typeof startFakePeer>[0]): Promise<FakePeer> {
  const p = await startFakePeer(handler);
  cleanup.push(() => p.close());
  return p;
}

function peer(id: string, base_url: string, extra: Partial<PeerConfig> = {}): PeerConfig {
  return { id, name: id, base_url, enabled: true, ...extra };
}

function poller(peers: PeerConfig[], opts: Partial<PeerPollerOptions> & { clientOpts?: Partial<PeerClientOptions>; dataDir?: string } = {}): PeerPoller {
  const p = createPeerPoller({
    config: {
      node_id: 'node-a',
      interval_minutes: 1,
      peers,
      peer_refresh_seconds: 15,
      data_directory: opts.dataDir ?? '/nonexistent',
      retention_days: 30,
    },
    client: createPeerClient({ version: 't', requestTimeoutMs: 1000, connectTimeoutMs: 500, retryDelayMs: 10, ...opts.clientOpts }),
    log: quiet,
    persist: opts.dataDir !== undefined,
    ...opts,
  });
  cleanup.push(() => p.stop());
  return p;
}

const only = (p: PeerPoller, range: '24h' | '30d' = '24h'): PeerSnapshot => {
  const all = p.snapshots(range);
  assert.equal(all.length, 1);
  return all[0]!;
};
const classes = (t: ServiceTimeline[] | undefined) => (t ?? []).map((s) => [s.service_id, s.timeline.map((b) => b.className)]);

describe('peer poller: an original node', () => {
  it("shows the peer as the original's /api/cluster did, timelines recomputed here", async () => {
    const node = await fake(originalNode('node-b'));
    const p = poller([peer('node-b', node.url, { name: 'Node B', api_key: 'secret123' })], { now: () => CAPTURED_AT });
    await p.refreshAll();
    const snap = only(p);
    const original = (capture('node-a/cluster-24h.json') as { nodes: PeerSnapshot[] }).nodes.find((n) => n.node.id === 'node-b')!;

    assert.deepEqual(snap.node, original.node);
    assert.deepEqual(snap.status, capture('node-b/node-status.json') && (capture('node-b/node-status.json') as { status: unknown }).status);
    assert.deepEqual(snap.targets, original.targets);
    assert.equal(snap.source, 'peer');
    assert.deepEqual(classes(snap.service_timelines), classes(original.service_timelines));
    assert.deepEqual(snap.connectivity_timeline?.map((b) => b.className), original.connectivity_timeline?.map((b) => b.className));
    assert.deepEqual(snap.services.map((s) => [s.id, s.passing, s.last_state]), [['bad', 0, 'failed'], ['hang', 0, 'unknown'], ['ok', 3, 'active']]);
    assert.equal(snap.connectivity_history?.length, 15);
    assert.equal(snap.error, undefined);
    assert.equal(snap.stale, false);
    assert.equal(snap.consecutive_failures, 0);
    assert.equal(snap.last_success_at, new Date(CAPTURED_AT).toISOString());
    assert.equal(node.requests[0]?.headers['authorization'], 'Bearer secret123');
  });

  it('counts missing slots with the peer interval only up to the last refresh (the lag is not downtime)', async () => {
    const node = await fake(originalNode('node-b'));
    let now = CAPTURED_AT;
    const p = poller([peer('node-b', node.url)], { now: () => now });
    await p.refreshAll();
    const before = only(p).services.find((s) => s.id === 'ok')!;
    now += 5 * 60_000; // five of the peer's 1-minute intervals later, no refresh since
    const later = only(p).services.find((s) => s.id === 'ok')!;
    assert.equal(later.missing_slots, before.missing_slots);
  });

  it('reads a peer that sends "history": null and no targets', async () => {
    const node = await fake(routes({
      '/api/node/status': json(capture('empty-state/node-status.json')),
      '/api/node/history': json(capture('empty-state/node-history-range-24h.json')),
    }));
    const p = poller([peer('odd', node.url)], { now: () => CAPTURED_AT });
    await p.refreshAll();
    const snap = only(p);
    assert.equal(snap.error, undefined);
    assert.equal(snap.stale, false);
    assert.equal(snap.status, undefined);
    assert.equal(snap.connectivity_timeline?.length, 80);
    // The target without an id is listed among targets but has no uptime row or timeline, as the original.
    assert.deepEqual(snap.service_timelines?.map((t) => t.service_id), ['slow', 'sudo', 'weird']);
    assert.deepEqual(snap.services.map((s) => [s.id, s.total_checks]), [['slow', 0], ['sudo', 0], ['weird', 0]]);
  });

  it('accepts a peer that answers "{}" as a node without data, as the original', async () => {
    const node = await fake(json({}));
    const p = poller([peer('logger', node.url, { name: 'Logger C' })], { now: () => CAPTURED_AT });
    await p.refreshAll();
    const snap = only(p);
    assert.deepEqual(snap.node, { id: 'logger', name: 'Logger C', interval_minutes: 0 });
    assert.deepEqual(snap.services, []);
    assert.equal(snap.error, undefined);
    assert.equal(snap.connectivity_timeline?.every((b) => b.className === 'state-missing'), true);
  });
});

describe('peer poller: failures', () => {
  it("shows a peer never reached in the original's shape, with the error", async () => {
    const gone = await startFakePeer();
    await gone.close();
    const p = poller([peer('node-b', gone.url, { name: 'Node B' })], { now: () => CAPTURED_AT });
    await p.refreshAll();
    const snap = only(p);
    const early = (capture('early/cluster-a-early-24h.json') as { nodes: PeerSnapshot[] }).nodes[1]!;
    assert.deepEqual(snap.node, early.node);
    assert.deepEqual(Object.keys(snap).filter((k) => k in early).sort(), Object.keys(early).sort());
    assert.deepEqual(snap.services, []);
    assert.equal(snap.connectivity_timeline?.length, 80);
    assert.equal(snap.error, 'status fetch failed: connection refused');
    assert.equal(snap.stale, true);
    assert.equal(snap.consecutive_failures, 1);
    assert.equal(snap.last_success_at, undefined);
  });

  it('keeps the last good data, stale, with the error and the failure count; then recovers', async () => {
    const node = await fake(originalNode('node-b'));
    const p = poller([peer('node-b', node.url, { api_key: 'old-key' })], { now: () => CAPTURED_AT });
    await p.refreshAll();
    const good = only(p);

    node.handle(json({ error: { message: 'invalid api key' } }, 401));
    await p.refreshAll();
    await p.refreshAll();
    const stale = only(p);
    assert.equal(stale.error, 'status fetch failed: 401 unauthorized: check api_key');
    assert.equal(stale.stale, true);
    assert.equal(stale.consecutive_failures, 2);
    assert.equal(stale.last_success_at, good.last_success_at);
    assert.deepEqual(stale.services, good.services);
    assert.deepEqual(stale.status, good.status);

    node.handle(originalNode('node-b'));
    await p.refreshAll();
    const back = only(p);
    assert.equal(back.error, undefined);
    assert.equal(back.stale, false);
    assert.equal(back.consecutive_failures, 0);
  });

  it('reports a peer that is this node, or a node already shown, instead of merging it', async () => {
    const self = await fake(routes({
      '/api/node/status': json({ ...(capture('node-a/node-status.json') as object) }),
      '/api/node/history': json(capture('node-a/node-history-30d.json')),
    }));
    const b = await fake(originalNode('node-b'));
    const p = poller([peer('self', self.url), peer('node-b', b.url), peer('b-again', b.url)], { now: () => CAPTURED_AT });
    await p.refreshAll();
    const [s, ok, dup] = p.snapshots('24h');
    assert.equal(s?.error, `peer reports node id "node-a", which is this node's own id (does base_url point at this node?); not merged`);
    assert.deepEqual(s?.services, []);
    assert.equal(ok?.error, undefined);
    assert.equal(dup?.error, 'peer reports node id "node-b", the node already shown as peer "node-b"; not merged');
    assert.deepEqual(dup?.services, []);
  });

  it('drops the cached history when the peer turns out to be another node', async () => {
    const node = await fake(originalNode('node-b'));
    const p = poller([peer('x', node.url)], { now: () => CAPTURED_AT });
    await p.refreshAll();
    assert.equal(only(p).services.length, 3);
    node.handle(routes({
      '/api/node/status': json({ node: { id: 'node-z', name: 'Z', interval_minutes: 1 } }),
      '/api/node/history': json({ history: null }),
    }));
    await p.refreshAll();
    assert.deepEqual(only(p).services, []);
    assert.equal(only(p).error, undefined);
  });

  it('lists enabled peers only, in config order', async () => {
    const a = await fake(originalNode('node-a'));
    const b = await fake(originalNode('node-b'));
    const p = poller([peer('pb', b.url), peer('off', 'http://127.0.0.1:9', { enabled: false }), peer('pa', a.url)], { now: () => CAPTURED_AT });
    assert.deepEqual(p.snapshots('24h').map((s) => s.node.id), ['pb', 'pa'], 'before the first refresh too');
    await p.refreshAll();
    assert.deepEqual(p.snapshots('30d').map((s) => s.node.id), ['pb', 'pa']);
  });
});

describe('peer poller: bad peers do not slow /api/cluster', () => {
  it('every kind of bad peer is reported as its own error, next to a good one', { timeout: 15_000 }, async () => {
    const bad: Array<[string, Parameters<typeof startFakePeer>[0], RegExp]> = [
      ['hangs', hang(), /^status fetch failed: timeout after 1 s$/],
      ['trickles', trickle(100), /^status fetch failed: timeout after 1 s$/],
      ['huge', endless(), /^status fetch failed: response too large \(> 1 MiB; see peer_max_response_bytes\)$/],
      ['lies', lyingLength(10_000, true), /^status fetch failed: connection closed before the whole response arrived/],
      ['garbage', text('<h1>It works!</h1>'), /^status fetch failed: invalid JSON/],
      ['moved', redirect('https://127.0.0.1:9/login'), /^status fetch failed: redirect to https:\/\/127\.0\.0\.1:9\/login not followed$/],
      ['wrong', json({ node: { id: 'w' }, status: { timestamp: 12, checks: [] } }), /^status fetch failed: invalid payload: status\.timestamp: expected string, got 12$/],
    ];
    const good = await fake(originalNode('node-b'));
    const peers = [peer('node-b', good.url)];
    for (const [id, handler] of bad) peers.push(peer(id, (await fake(handler)).url));
    const p = poller(peers, { now: () => CAPTURED_AT, clientOpts: { maxResponseBytes: 1024 * 1024 } });
    await p.refreshAll();
    const snaps = p.snapshots('24h');
    assert.equal(snaps[0]?.error, undefined);
    assert.equal(snaps[0]?.services.length, 3);
    for (const [i, [id, , expected]] of bad.entries()) {
      const s = snaps[i + 1]!;
      assert.equal(s.node.id, id);
      assert.match(s.error ?? '', expected, id);
      assert.equal(s.stale, true);
    }
  });

  it('/api/cluster answers from cache while a refresh hangs, and stop() aborts it', { timeout: 15_000 }, async () => {
    const stuck = await fake(hang());
    const good = await fake(originalNode('node-b'));
    // The default 10 s request timeout: /api/cluster must not wait for it, and stop() must not either.
    const p = poller([peer('node-b', good.url), peer('stuck', stuck.url)], { now: () => CAPTURED_AT, clientOpts: { requestTimeoutMs: 10_000 } });
    const round = p.refreshAll();
    await until(() => p.snapshots('24h')[0]?.stale === false && stuck.requests.length === 1);

    const url = await serveCluster(p);
    const res = await fetch(`${url}/api/cluster?range=24h`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { nodes: PeerSnapshot[] };
    assert.deepEqual(body.nodes.map((n) => [n.node.id, n.source]), [['node-a', 'local'], ['node-b', 'peer'], ['stuck', 'peer']]);
    assert.equal(body.nodes[1]?.services.length, 3);
    assert.equal(body.nodes[2]?.error, undefined, 'still trying');
    assert.equal(body.nodes[2]?.stale, false, 'no data yet, so none is stale');
    assert.deepEqual(body.nodes[2]?.services, []);

    await p.stop();
    await round;
    const after = p.snapshots('24h')[1]!;
    assert.equal(after.error, undefined, 'a refresh cut short by shutdown is not the peer failing');
    assert.equal(after.consecutive_failures, 0);
  });
});

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

/** The real app with an empty local node "node-a" and the poller's snapshots; returns its URL. */
async function serveCluster(p: PeerPoller): Promise<string> {
  const served = await serveClusterApp(p, { nodeId: 'node-a', now: () => CAPTURED_AT, targets: [{ id: 'web', name: 'Web', service: 'web.service' }] });
  cleanup.push(() => served.close());
  return served.url;
}

describe('peer poller: a node of ours', () => {
  const TARGETS = Array.from({ length: 10 }, (_, i) => ({ id: `svc-${i}`, name: `Service ${i}`, service: `svc-${i}.service` }));
  const sample = (ms: number) => ({
    timestamp: new Date(ms).toISOString(),
    checks: TARGETS.map((t, i) => ({ id: t.id, name: t.name, ok: i !== 3, state: i !== 3 ? 'active' : 'failed', sub_state: i !== 3 ? 'running' : 'failed' })),
  });
  const historyRequests = (node: { requests: Array<{ url: string }> }) => node.requests.filter((q) => q.url.startsWith('/api/node/history'));

  it('pulls everything once, then only what is new', async (t) => {
    const node = await startOurNode({ nodeId: 'node-c', intervalMinutes: 0.05, targets: TARGETS });
    cleanup.push(() => node.close());
    const start = Date.now() - 23 * 3600_000;
    for (let i = 0; i < 2000; i++) node.status.append(sample(start + i * 3000));
    const p = poller([peer('node-c', node.url)], { compactWire: false });
    await p.refreshAll();
    node.status.append(sample(Date.now()));
    await p.refreshAll();

    const [head, full, incremental] = historyRequests(node);
    assert.match(head?.url ?? '', /^\/api\/node\/history\?range=24h&limit=\d+$/, 'the first pull asks for the newest day first');
    assert.match(full?.url ?? '', /range=30d.*since=/, 'then pages forward from a month ago');
    assert.match(incremental?.url ?? '', new RegExp(`since=${encodeURIComponent(new Date(start + 1999 * 3000).toISOString())}`));
    const bytes = node.responseBytes.filter((_, i) => node.requests[i]?.url.startsWith('/api/node/history'));
    t.diagnostic(`history bytes on the wire (gzip): head ${bytes[0]}, full pull ${bytes[1]}, incremental ${bytes[2]} (2000 samples x 10 units, then 1 new)`);
    assert.ok(bytes[2]! * 5 < bytes[1]!, `incremental ${bytes[2]} vs full ${bytes[1]}`);

    const snap = only(p);
    assert.equal(snap.error, undefined);
    assert.equal(snap.services.find((s) => s.id === 'svc-0')?.passing, 2001);
    assert.equal(snap.services.find((s) => s.id === 'svc-3')?.passing, 0);
    assert.equal(snap.status?.checks[0]?.sub_state, 'running');
  });

  it('another node answering at the same address is read from the start, not from the old cursor', async () => {
    const a = await startOurNode({ nodeId: 'old-node', intervalMinutes: 0.05, targets: TARGETS });
    const b = await startOurNode({ nodeId: 'new-node', intervalMinutes: 0.05, targets: TARGETS });
    cleanup.push(() => a.close(), () => b.close());
    const start = Date.now() - 3600_000;
    for (let i = 0; i < 100; i++) a.status.append(sample(start + i * 3000));
    for (let i = 0; i < 300; i++) b.status.append(sample(start - 3600_000 + i * 3000)); // older history than a's newest
    let target = a.url;
    const proxy = createServer((req, res) => {
      void fetch(target + (req.url ?? '/')).then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => proxy.close(() => r(undefined))));
    const p = poller([peer('site', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)]);
    await p.refreshAll();
    assert.equal(only(p).services.find((s) => s.id === 'svc-0')?.passing, 100);
    target = b.url; // the address now belongs to another node
    await p.refreshAll();
    assert.equal(only(p).services.find((s) => s.id === 'svc-0')?.passing, 300, "all of the new node's history, none of the old one's");
  });

  for (const wire of ['json', 'cols'] as const) {
    it(`reads a large backlog newest page first, marked syncing, then the rest oldest first, and ends with the same history (${wire} pages)`, async () => {
      const node = await startOurNode({ nodeId: 'node-c', intervalMinutes: 0.05, targets: TARGETS });
      cleanup.push(() => node.close());
      const start = Date.now() - 1000 * 3000; // 50 minutes, up to now
      for (let i = 0; i < 1000; i++) node.status.append(sample(start + i * 3000));
      // 10 units x 100 bytes x 20 entries (JSON), or 10 units x 20 entries (compact): pages of 20 entries (the smallest page).
      const p = poller([peer('node-c', node.url)], wire === 'json' ? { pageBytes: 20_000, compactWire: false } : { compactPageChecks: 200 });
      await p.refreshAll(); // at most 20 pages now: the newest 20 entries, then 380 from the oldest
      const syncing = only(p);
      assert.equal(syncing.syncing, true, 'marked syncing while older days are read');
      assert.equal(syncing.error, undefined);
      const svc0 = syncing.services.find((s) => s.id === 'svc-0');
      assert.equal(svc0?.passing, 20, 'the card shows the newest entries meanwhile');
      assert.ok((svc0?.uptime_percent ?? 0) > 50, `not 0 % red: ${svc0?.uptime_percent}`);
      assert.equal(syncing.status?.timestamp, new Date(start + 999 * 3000).toISOString());
      await p.refreshAll();
      await p.refreshAll(); // the rest
      const pages = historyRequests(node);
      assert.equal(pages.length, 51, `the newest page, then 1000 entries in pages of 20: ${pages.length} requests`);
      assert.match(pages[0]!.url, wire === 'json' ? /range=24h&limit=20$/ : /range=24h&limit=20&format=cols$/);
      assert.equal(pages.filter((q) => q.url.endsWith('&format=cols')).length, wire === 'json' ? 0 : 51, 'every page in the form asked');
      const snap = only(p);
      assert.equal(snap.error, undefined);
      assert.equal(snap.syncing, undefined, 'no longer syncing');
      assert.equal(snap.services.find((s) => s.id === 'svc-0')?.passing, 1000);
    });
  }

  it('keeps peer history on disk: after a restart it shows the peer at once (stale) and pulls only what is new', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jm-poller-'));
    const node = await startOurNode({ nodeId: 'node-c', intervalMinutes: 0.05, targets: TARGETS });
    cleanup.push(() => node.close());
    const start = Date.now() - 3600_000;
    for (let i = 0; i < 100; i++) node.status.append(sample(start + i * 3000));

    const first = poller([peer('node-c', node.url)], { dataDir });
    await first.refreshAll();
    const before = only(first);
    await first.stop();

    const second = poller([peer('node-c', node.url)], { dataDir });
    await second.open();
    const restored = only(second);
    assert.equal(restored.stale, true);
    assert.equal(restored.last_success_at, before.last_success_at);
    assert.deepEqual(restored.status, before.status);
    assert.deepEqual(restored.targets, before.targets);
    assert.deepEqual(restored.services.map((s) => [s.id, s.passing]), before.services.map((s) => [s.id, s.passing]));

    node.status.append(sample(Date.now()));
    await second.refreshAll();
    const requests = historyRequests(node);
    assert.equal(requests.length, 3, 'the head and the back-fill before the restart, one pull after it');
    assert.match(requests[2]!.url, /since=/, 'no full pull after the restart');
    assert.equal(only(second).stale, false);
    assert.equal(only(second).services.find((s) => s.id === 'svc-0')?.passing, 101);
  });

  it('sends the key a node of ours asks for, and shows its 401 when the key is wrong', async () => {
    const node = await startOurNode({ nodeId: 'node-k', apiKey: 'right-key' });
    cleanup.push(() => node.close());
    node.status.append(sample(Date.now()));
    const right = poller([peer('node-k', node.url, { api_key: 'right-key' })]);
    const wrong = poller([peer('node-k', node.url, { api_key: 'wrong-key' })]);
    const none = poller([peer('node-k', node.url)]);
    await Promise.all([right.refreshAll(), wrong.refreshAll(), none.refreshAll()]);
    assert.equal(only(right).error, undefined);
    assert.equal(only(wrong).error, 'status fetch failed: 401 unauthorized: check api_key');
    assert.equal(only(none).error, 'status fetch failed: 401 unauthorized: check api_key');
  });
});

describe('peer poller: refresh interval', () => {
  it('is at least 15 s, as the original', () => {
    assert.equal(poller([], {}).refreshMs, 15_000);
    assert.equal(createPeerPoller({
      config: { node_id: 'a', interval_minutes: 1, peers: [], peer_refresh_seconds: 90, data_directory: '/x', retention_days: 30 },
      client: createPeerClient({ version: 't' }), log: quiet,
    }).refreshMs, 90_000);
  });
});
