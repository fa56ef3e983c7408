/**
 * Three real daemon processes on 127.0.0.1 peering each other (one with an
 * api_key), plus an original node played by the test from captured JSON:
 * keys right and wrong, a node stopped (the others keep its data, stale, with
 * the error) and started again (they recover). A fake systemctl stands in
 * for systemd. Every address is 127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { PeerSnapshot } from '../../src/types.js';
import { eventually, startDaemonProcess, tempDir, type DaemonProcess } from '../helpers/daemon.js';
import { capture, json, routes, startFakePeer, type FakePeer, type Handler } from '../helpers/fake-peer.js';
import { makeFakeBin, type FakeBin } from '../workers/fake-bin.js';

const KEY_B = 'b-secret-key';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * The captured node-b of the original, moved to the present (so its samples
 * fall in today's window) and in the original's shapes: nanosecond times,
 * `connectivity: null`, an entry with `checks: null`. It ignores `since`.
 * Its node id is changed to orig-node.
 */
function originalPeer(): Handler {
  const status = capture('node-b/node-status.json') as { status: { timestamp: string } };
  const history = capture('node-b/node-history-30d.json') as { history: Array<{ timestamp: string; checks: unknown }>; connectivity: unknown };
  const shift = (t: string, by: number) => `${new Date(Date.parse(t) + by).toISOString().slice(0, 19)}.123456789Z`;
  const by = Date.now() - 60_000 - Date.parse(status.status.timestamp);
  // Its own id must differ from node-b's, or node-a would rightly refuse it as a duplicate of node-b.
  const node = { ...(status as unknown as { node: object }).node, id: 'orig-node' };
  return (req, res) => {
    const moved = {
      ...history,
      node,
      history: [
        ...history.history.map((e) => ({ ...e, timestamp: shift(e.timestamp, by) })),
        { timestamp: shift(status.status.timestamp, by + 30_000), checks: null },
      ],
      connectivity: null,
    };
    const st = { ...status, node, status: { ...status.status, timestamp: shift(status.status.timestamp, by) } };
    routes({ '/api/node/status': json(st), '/api/node/history': json(moved) })(req, res);
  };
}

interface Node {
  id: string;
  port: number;
  dir: string;
  proc?: DaemonProcess;
}

describe('a cluster of three daemons and an original node', { concurrency: false, timeout: 120_000 }, () => {
  let bin: FakeBin;
  let original: FakePeer;
  const nodes: Record<'a' | 'b' | 'c', Node> = {
    a: { id: 'node-a', port: 0, dir: tempDir('jm-cluster-a-') },
    b: { id: 'node-b', port: 0, dir: tempDir('jm-cluster-b-') },
    c: { id: 'node-c', port: 0, dir: tempDir('jm-cluster-c-') },
  };
  const url = (n: Node) => `http://127.0.0.1:${n.port}`;

  const configOf = (n: Node, keyForB: string) => {
    const base = {
      interval_minutes: 0.05, // a sample every 3 s
      data_directory: 'data',
      node_id: n.id,
      node_name: `Node ${n.id.slice(-1).toUpperCase()}`,
      peer_refresh_seconds: 1,
      targets: [
        { id: 'ok', name: 'OK Service', service: 'ok.service', timeout_seconds: 2 },
        { id: 'bad', name: 'Bad Service', service: 'bad.service', timeout_seconds: 2 },
      ],
    };
    const peerA = { id: 'node-a', name: 'Node A', base_url: url(nodes.a) };
    const peerB = { id: 'node-b', name: 'Node B', base_url: url(nodes.b), api_key: keyForB };
    const peerC = { id: 'node-c', name: 'Node C', base_url: url(nodes.c) };
    if (n === nodes.a) return { ...base, peers: [peerB, peerC, { id: 'orig', name: 'Original node', base_url: original.url }] };
    if (n === nodes.b) return { ...base, api_key: KEY_B, peers: [peerA, peerC] };
    return { ...base, peers: [peerA, peerB] };
  };

  const start = async (n: Node, keyForB = KEY_B) => {
    n.proc = await startDaemonProcess({
      config: configOf(n, keyForB),
      dir: n.dir,
      port: n.port,
      pathPrepend: [bin.dir],
      hooks: { minPeerRefreshSeconds: 1 },
    });
  };

  const cluster = async (n: Node): Promise<PeerSnapshot[]> => {
    const r = await n.proc!.get('/api/cluster?range=24h', n === nodes.b ? { Authorization: `Bearer ${KEY_B}` } : {});
    assert.equal(r.status, 200, r.text);
    return r.body.nodes as PeerSnapshot[];
  };
  const peerIn = async (n: Node, id: string) => (await cluster(n)).find((s) => s.node.id === id);
  // Not `syncing`: a node of ours is read newest day first, then its older days, each page a good refresh of its own.
  const synced = (s: PeerSnapshot | undefined) => s !== undefined && s.stale === false && s.syncing !== true && s.services.some((x) => x.total_checks > 0);

  before(async () => {
    bin = await makeFakeBin();
    original = await startFakePeer(originalPeer());
    for (const n of Object.values(nodes)) n.port = await freePort();
    await Promise.all([start(nodes.a), start(nodes.b), start(nodes.c)]);
  });

  after(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.proc?.stop()));
    await original?.close();
    await bin?.cleanup();
  });

  it('every node shows the whole cluster: itself first, then its peers in config order', async () => {
    const view = await eventually(async () => {
      const nodesA = await cluster(nodes.a);
      return nodesA.slice(1).every(synced) ? nodesA : undefined;
    }, 30_000, 'node-a to sync node-b, node-c and the original');
    assert.deepEqual(view.map((s) => [s.node.id, s.source]), [['node-a', 'local'], ['node-b', 'peer'], ['node-c', 'peer'], ['orig', 'peer']]);
    const b = view[1]!;
    assert.equal(b.node.name, 'Node B');
    assert.deepEqual(b.services.map((s) => s.id), ['bad', 'ok']);
    assert.equal(b.service_timelines?.length, 2);
    assert.equal(b.error, undefined);
    assert.equal(b.consecutive_failures, 0);
    assert.ok(b.last_success_at !== undefined);

    const fromB = await eventually(async () => {
      const v = await cluster(nodes.b);
      return v.slice(1).every(synced) ? v : undefined;
    }, 30_000, 'node-b to sync its peers');
    assert.deepEqual(fromB.map((s) => s.node.id), ['node-b', 'node-a', 'node-c']);
  });

  it("consumes an original node: its 1-minute interval, null lists and no `since`", async () => {
    const orig = (await peerIn(nodes.a, 'orig'))!;
    assert.deepEqual(orig.node, { id: 'orig', name: 'Original node', interval_minutes: 1, connectivity_interval_seconds: 10 });
    assert.deepEqual(orig.services.map((s) => [s.id, s.passing, s.last_state]), [['bad', 0, 'failed'], ['hang', 0, 'unknown'], ['ok', 3, 'active']]);
    assert.equal(orig.targets?.length, 3);
    assert.equal(orig.error, undefined);
    const historyUrls = original.requests.filter((q) => q.url.startsWith('/api/node/history')).map((q) => q.url);
    assert.ok(historyUrls.length >= 1);
    for (const u of historyUrls) assert.equal(u, '/api/node/history?range=30d&limit=43205');
    assert.equal(original.requests[0]?.headers['user-agent'], 'jobmonitor-ts/0.1.0');
  });

  it('a node with api_key refuses a peer without the right key; that peer shows the 401 and keeps what it had', async () => {
    assert.equal((await nodes.b.proc!.get('/api/node/status')).status, 401);
    assert.equal((await nodes.b.proc!.get('/api/node/status', { Authorization: 'Bearer nope' })).status, 401);
    const had = await eventually(async () => {
      const s = await peerIn(nodes.c, 'node-b');
      return synced(s) ? s : undefined;
    }, 20_000, 'node-c to sync node-b');

    // node-c comes back with a wrong key for node-b. (Few attempts: node-b rate-limits wrong keys per address, and every node here is 127.0.0.1.)
    const stoppedAt = Date.now();
    await nodes.c.proc!.stop();
    await start(nodes.c, 'not-the-key');
    const bFromC = await eventually(async () => {
      const s = await peerIn(nodes.c, 'node-b');
      return s?.error !== undefined ? s : undefined;
    }, 20_000, 'node-c to show its sync error for node-b');
    assert.equal(bFromC.error, 'status fetch failed: 401 unauthorized: check api_key');
    assert.equal(bFromC.stale, true);
    // The last good sync, kept across node-c's restart (a page read after `had` was taken may have moved it a little).
    const kept = Date.parse(bFromC.last_success_at ?? '');
    assert.ok(kept >= Date.parse(had.last_success_at ?? '') && kept <= stoppedAt, `last_success_at ${bFromC.last_success_at} kept across node-c restart`);
    assert.deepEqual(bFromC.services.map((s) => s.id), ['bad', 'ok']);
    assert.ok(bFromC.services.every((s) => s.total_checks >= (had.services[0]?.total_checks ?? 1)), 'its history is kept');
    // node-a's first refresh after the restart may end after node-b's 401 (its bodies are decoded in a thread that starts on first use).
    await eventually(async () => synced(await peerIn(nodes.c, 'node-a')) || undefined, 20_000, 'node-a (no key) to be fine from node-c');
  });

  it('a stopped node stays listed on the others with its last data, stale, with the error', async () => {
    // What each viewer held just before the stop (each pulls on its own schedule, so they may differ).
    const before = new Map<string, string | undefined>();
    for (const viewer of [nodes.a, nodes.b]) before.set(viewer.id, (await peerIn(viewer, 'node-c'))?.status?.timestamp);
    await nodes.c.proc!.stop();
    for (const viewer of [nodes.a, nodes.b]) {
      const c = await eventually(async () => {
        const s = await peerIn(viewer, 'node-c');
        return s?.stale === true && (s.consecutive_failures ?? 0) >= 2 ? s : undefined;
      }, 20_000, `${viewer.id} to mark node-c stale`);
      assert.equal(c.error, 'status fetch failed: connection refused');
      assert.equal(c.last_success_at !== undefined, true);
      assert.deepEqual(c.services.map((s) => s.id), ['bad', 'ok']);
      assert.ok(c.services.every((s) => s.total_checks > 0), 'its history is kept');
      const held = before.get(viewer.id);
      assert.ok(c.status !== undefined && (held === undefined || Date.parse(c.status.timestamp) >= Date.parse(held)),
        `${viewer.id} keeps node-c's latest sample: had ${held}, shows ${c.status?.timestamp}`);
    }
    // A peer that stops syncing is an incident on the viewers (threshold: 3 failed refreshes).
    const open = await eventually(async () => {
      const r = (await nodes.a.proc!.get('/api/incidents?range=24h')).body as { open: { kind: string; subject: string; errors: string[] }[] };
      return r.open.find((i) => i.kind === 'peer' && i.subject === 'node-c');
    }, 20_000, 'a peer incident for node-c on node-a');
    assert.match(open.errors.join(' '), /connection refused/);
    // Its history is on disk, for the 30-day view across restarts of the viewers.
    assert.ok(existsSync(join(nodes.a.dir, 'data', 'peers', 'node-c')));
    assert.ok(readdirSync(join(nodes.a.dir, 'data', 'peers', 'node-c')).some((f) => f.startsWith('status-')));
  });

  it('started again (with the right key now), it recovers everywhere', async () => {
    await start(nodes.c, KEY_B);
    for (const viewer of [nodes.a, nodes.b]) {
      const c = await eventually(async () => {
        const s = await peerIn(viewer, 'node-c');
        return s?.stale === false ? s : undefined;
      }, 20_000, `${viewer.id} to see node-c again`);
      assert.equal(c.error, undefined);
      assert.equal(c.consecutive_failures, 0);
    }
    const bFromC = await eventually(async () => {
      const s = await peerIn(nodes.c, 'node-b');
      return synced(s) ? s : undefined;
    }, 20_000, 'node-c to sync node-b with the right key');
    assert.equal(bFromC.error, undefined);
    assert.match(nodes.a.proc!.logs(), /peer node-c: sync failed: status fetch failed: connection refused/);
    assert.match(nodes.a.proc!.logs(), /peer node-c: sync recovered after \d+ failed refresh\(es\)/);
    const resolved = await eventually(async () => {
      const r = (await nodes.a.proc!.get('/api/incidents?range=24h')).body as { resolved: { kind: string; subject: string; ended_at?: string }[] };
      return r.resolved.find((i) => i.kind === 'peer' && i.subject === 'node-c');
    }, 20_000, 'the node-c incident to resolve on node-a');
    assert.ok(resolved.ended_at !== undefined);
  });
});
