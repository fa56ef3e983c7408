/**
 * /api/cluster from parts kept compressed (src/http/cluster-gzip.ts,
 * src/http/deflated-part.ts): the joined gzip member is one valid gzip
 * stream (Node's gunzip and the `gzip` command agree), a client with and one
 * without gzip read the same JSON, byte for byte what the route gave before
 * (the frame around each node's JSON.stringify), with the right
 * Content-Length; and after one peer's refresh only that peer's part is
 * rendered again. Real nodes of ours, the real poller and app, over HTTP.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32, crc32ByTable, crc32Combine, deflatePart, gzipMember } from '../../src/http/deflated-part.js';
import { createPeerClient } from '../../src/peers/client.js';
import { createPeerPoller, type PeerPoller } from '../../src/peers/poller.js';
import type { PeerSnapshot, PeerView, RangeName, StatusEntry } from '../../src/types.js';
import { serveClusterApp } from '../helpers/cluster-app.js';
import { startOurNode, type OurNode } from '../helpers/fake-peer.js';
import { rawGet } from './answer-fixture.js';
import { eventually } from '../helpers/daemon.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const cleanup: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Text that compresses poorly and well, in parts of many sizes (one empty). */
function someParts(): string[] {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const noise = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rand() * 90))).join('');
  return ['{"a":[', noise(5), '', '"x",'.repeat(70_000), noise(300_000), ']}'];
}

test('parts deflated on their own join into one gzip member that gunzip and the gzip command take as the whole', async () => {
  const texts = someParts();
  const whole = Buffer.from(texts.join(''));
  const member = gzipMember(await Promise.all(texts.map((t) => deflatePart(t))));
  const bytes = Buffer.concat(member.parts);
  assert.equal(bytes.length, member.length);
  assert.deepEqual(gunzipSync(bytes), whole);
  const dir = mkdtempSync(join(tmpdir(), 'jm-gz-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'answer.json.gz');
  writeFileSync(file, bytes);
  execFileSync('gzip', ['-t', file]); // throws on a bad CRC, length or stream
  assert.deepEqual(execFileSync('gzip', ['-dc', file], { maxBuffer: 16 * 1024 * 1024 }), whole);
  const [a, b] = [Buffer.from(texts[3]!), Buffer.from(texts[4]!)];
  assert.equal(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
  // Node 20 before 20.15 has no zlib.crc32: the table gives the same CRC (the gzip trailer's, by `gzip -t` above).
  assert.equal(crc32ByTable(b), crc32(b));
  assert.equal(crc32ByTable(b), gunzipTrailerCrc(b));
});

/** The CRC-32 zlib's own gzip writes for `b`. */
function gunzipTrailerCrc(b: Buffer): number {
  const z = gzipSync(b);
  return z.readUInt32LE(z.length - 8);
}

const TARGETS = Array.from({ length: 40 }, (_, i) => ({ id: `svc-${i}`, name: `Service ${i}`, service: `svc-${i}.service` }));
const sample = (ms: number): StatusEntry => ({
  timestamp: new Date(ms).toISOString(),
  checks: TARGETS.map((t, i) => ({ id: t.id, name: t.name, ok: i % 7 !== 2, state: i % 7 !== 2 ? 'active' : 'failed' })),
});

async function node(id: string, start: number): Promise<OurNode> {
  const n = await startOurNode({ nodeId: id, intervalMinutes: 1, targets: TARGETS });
  cleanup.push(() => n.close());
  for (let i = 0; i < 30; i++) n.status.append(sample(start + i * 60_000));
  return n;
}

/** The poller, with every peer snapshot the app renders counted, and the last kept, per peer id and range. */
function counted(p: PeerPoller, renders: Map<string, number>, rendered: Map<string, PeerSnapshot>): PeerPoller {
  const views = (): PeerView[] =>
    p.views().map((v) => ({
      id: v.id, key: v.key, rowsVersion: v.rowsVersion, version: v.version, sync: () => v.sync(),
      snapshot: (r: RangeName) => {
        renders.set(v.id, (renders.get(v.id) ?? 0) + 1);
        const snap = v.snapshot(r);
        rendered.set(`${r}:${v.id}`, snap);
        return snap;
      },
    }));
  return Object.assign(Object.create(p) as PeerPoller, { views });
}

/**
 * An aggregator (the real app, empty local history) over two real nodes of
 * ours, A and B, each with 30 samples a minute apart and its own poller, at
 * the clock `now`; every peer snapshot the app renders is counted.
 */
async function twoPeerAggregator(now: () => number) {
  // Samples on whole minutes, as the tests' clocks: how many intervals a refresh lies past the newest sample
  // (part of a peer's rows version) then moves only when the clock crosses a whole minute.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 40 * 60_000;
  const [a, b] = [await node('node-a', start), await node('node-b', start)];
  let refreshes = 0;
  // One poller per peer, so one peer can be refreshed alone; the app sees both as one poller, A then B.
  const poller = (n: OurNode, id: string) => {
    const p = createPeerPoller({
      config: {
        node_id: 'agg', interval_minutes: 1, peer_refresh_seconds: 15, data_directory: '/nonexistent', retention_days: 30,
        peers: [{ id, name: id, base_url: n.url, enabled: true }],
      },
      client: createPeerClient({ version: 't', requestTimeoutMs: 2000, connectTimeoutMs: 1000, retryDelayMs: 10 }),
      log: quiet,
      persist: false,
      now, // the app's clock: a peer's part is rendered over the window that ends then
      onRefresh: () => void refreshes++,
    });
    cleanup.push(() => p.stop());
    return p;
  };
  const [pa, pb] = [poller(a, 'node-a'), poller(b, 'node-b')];
  const p = Object.assign(Object.create(pa) as PeerPoller, {
    views: () => [...pa.views(), ...pb.views()],
    snapshots: (r: RangeName) => [...pa.snapshots(r), ...pb.snapshots(r)],
  });
  const renders = new Map<string, number>();
  const rendered = new Map<string, PeerSnapshot>();
  /** The peers' JSON as the app last rendered it for `range`, in config order. */
  const peersJson = (range: RangeName) => JSON.stringify(['node-a', 'node-b'].map((id) => rendered.get(`${range}:${id}`)));
  const served = await serveClusterApp(counted(p, renders, rendered), { nodeId: 'agg', now, targets: TARGETS, wired: { refreshes: () => refreshes } });
  cleanup.push(() => served.close());
  await Promise.all([pa.refreshAll(), pb.refreshAll()]);
  return { start, a, pa, pb, served, renders, peersJson };
}

test('/api/cluster: gzip and plain clients read the same JSON as before; one peer refresh renders that peer only', async () => {
  // Early in a minute (the answers' time bucket), so a few seconds more stay in it.
  let at = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
  const { start, a, pa, pb, served, renders, peersJson } = await twoPeerAggregator(() => at);

  const zipped = await rawGet(served.url, '/api/cluster', { 'Accept-Encoding': 'gzip' });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
  const text = gunzipSync(zipped.body).toString();
  const plain = await rawGet(served.url, '/api/cluster', { 'Accept-Encoding': 'identity' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(Number(plain.headers['content-length']), plain.body.length, 'Content-Length is the JSON length');
  assert.ok(plain.body.toString() === text, 'the same bytes, with or without gzip');
  // What the route gave before: the frame around each node's JSON.stringify (so stringify(parse) gives the bytes back).
  const parsed = JSON.parse(text) as { range: string; nodes: unknown[] };
  assert.ok(JSON.stringify(parsed) === text, 'the frame and parts are JSON.stringify output');
  assert.ok(JSON.stringify(parsed.nodes.slice(1)) === peersJson('24h'), "each peer's part is its snapshot's JSON.stringify");
  assert.equal(parsed.nodes.length, 3);
  assert.equal((await rawGet(served.url, '/api/cluster', { 'If-None-Match': String(zipped.headers.etag) })).status, 304);
  const head = await rawGet(served.url, '/api/cluster', { 'Accept-Encoding': 'identity' }, 'HEAD');
  assert.equal(head.headers['content-length'], plain.headers['content-length']);
  assert.equal(head.body.length, 0);
  const viaFetch = await fetch(served.url + '/api/cluster?range=30d');
  assert.equal(viaFetch.headers.get('content-encoding'), 'gzip');
  assert.ok(JSON.stringify((await viaFetch.json() as { nodes: unknown[] }).nodes.slice(1)) === peersJson('30d'), "fetch reads the peers' 30d JSON");

  const before = { a: renders.get('node-a'), b: renders.get('node-b') };
  a.status.append(sample(start + 30 * 60_000));
  await pa.refreshAll(); // A alone is refreshed, with a new sample
  const again = await rawGet(served.url, '/api/cluster', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(zipped.headers.etag) });
  assert.equal(again.status, 200, 'a new answer');
  assert.equal(renders.get('node-b'), before.b, "B's part was not rendered again");
  assert.equal(renders.get('node-a'), before.a! + 1, "A's part was rendered again, once");
  const nodes = (JSON.parse(gunzipSync(again.body).toString()) as { nodes: unknown[] }).nodes;
  assert.ok(JSON.stringify(nodes.slice(1)) === peersJson('24h'), "with A's new part and B's kept one");
  assert.equal((nodes[1] as PeerSnapshot).status?.timestamp, new Date(start + 30 * 60_000).toISOString(), "A's new sample");

  // B refreshed 5 s later with nothing new: its updated_at moves, its part's body is not rendered again.
  const bBefore = nodes[2] as PeerSnapshot;
  at += 5_000;
  await pb.refreshAll();
  const bAfter = (JSON.parse(await peersServed(served.url)) as PeerSnapshot[])[1]!;
  assert.equal(renders.get('node-b'), before.b, "B's body was not rendered again");
  assert.equal(bAfter.updated_at, new Date(at).toISOString(), "B's updated_at is its new refresh's");
  assert.deepEqual({ ...bAfter, updated_at: bBefore.updated_at, last_success_at: bBefore.last_success_at }, bBefore, 'the rest of B as before');
});

/** The peers' part of a gzip /api/cluster answer, as JSON. */
async function peersServed(url: string): Promise<string> {
  const r = await rawGet(url, '/api/cluster', { 'Accept-Encoding': 'gzip' });
  assert.equal(r.status, 200);
  return JSON.stringify((JSON.parse(gunzipSync(r.body).toString()) as { nodes: unknown[] }).nodes.slice(1));
}

test('/api/cluster when a minute passes: no request waits for the clock, a node is at most a minute behind, and new data is never hidden', async () => {
  // At the start of a minute (the answers' time bucket), so moving the clock by less than a minute stays in the next one.
  let at = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
  const { start, a, pa, served, renders, peersJson } = await twoPeerAggregator(() => at);
  const first = await peersServed(served.url);
  assert.ok(first === peersJson('24h'));
  const rendersAt = (id: string) => renders.get(id) ?? 0;
  const before = { a: rendersAt('node-a'), b: rendersAt('node-b') };

  at += 60_000; // the next minute, no new data anywhere
  const duringRebuild = await peersServed(served.url);
  assert.ok(duringRebuild === first, "answered at once with the minute before's parts");
  await eventually(() => rendersAt('node-a') > before.a && rendersAt('node-b') > before.b, 10_000, 'both parts made again in the background');
  const rebuilt = peersJson('24h');
  assert.notEqual(rebuilt, first, "the new minute's window moved the peers' timelines");
  await eventually(async () => (await peersServed(served.url)) === rebuilt, 10_000, "the next request has the new minute's parts");
  assert.equal((await rawGet(served.url, '/api/cluster', { 'Accept-Encoding': 'gzip' })).headers.etag,
    (await rawGet(served.url, '/api/cluster', { 'Accept-Encoding': 'gzip' })).headers.etag, 'a whole answer is kept again');

  // The next minute, and A has a new sample: A is made before answering, B may be the minute before's.
  at += 60_000;
  a.status.append(sample(start + 30 * 60_000));
  await pa.refreshAll();
  const nodes = JSON.parse(await peersServed(served.url)) as PeerSnapshot[];
  assert.equal(nodes[0]?.status?.timestamp, new Date(start + 30 * 60_000).toISOString(), "A's new sample is in the very first answer");

  // Two minutes on with no request between: nothing kept is that old, so the answer waits for the new parts.
  await eventually(async () => (await peersServed(served.url)) === peersJson('24h'), 10_000, 'the rebuild settled');
  at += 120_000;
  assert.ok((await peersServed(served.url)) === peersJson('24h'), 'parts two minutes old are not served: the answer is the one just made');
});

test('/api/cluster pairs each peer\'s rows with its sync fields of the same moment, even when the peer moves while other parts are made', async () => {
  const { AnswerCache } = await import('../../src/http/answer-cache.js');
  const { clusterJoiner } = await import('../../src/http/cluster-gzip.js');
  const { syncOf } = await import('../../src/http/cluster-parts.js');
  type Part = import('../../src/http/cluster-parts.js').NodePart;
  const local = { window: () => ({ start: 0, end: 60_000 }) } as unknown as import('../../src/node/local.js').LocalNode;
  // A peer whose older days are being read: 288 samples shown while syncing, 576 once synced.
  const peer = { samples: 288, syncing: true };
  const peerSnap = (): PeerSnapshot => ({
    node: { id: 'b', name: 'B' }, services: [{ id: 'ok', total_checks: peer.samples }],
    updated_at: new Date(peer.samples * 1000).toISOString(), source: 'peer', ...(peer.syncing ? { syncing: true } : {}), stale: false,
  }) as unknown as PeerSnapshot;
  let localVersion = 1;
  /** The nodes as a request reads them: versions now, snapshots rendered later. */
  const nodes = (): Part[] => {
    const v = localVersion;
    return [
      {
        key: 'local', id: 'a', version: `L${v}`, rowsVersion: `L${v}`,
        // Once the local node's part is being made, the peer's refresh ends its sync (before the answer is joined).
        snapshot: () => {
          if (v === 2) queueMicrotask(() => Object.assign(peer, { samples: 576, syncing: false }));
          return { node: { id: 'a', name: 'A' }, services: [], updated_at: new Date(0).toISOString() } as unknown as PeerSnapshot;
        },
      },
      { key: 'pb', id: 'b', version: `b${peer.samples}|${peer.syncing}@1`, rowsVersion: `b${peer.samples}@1`, snapshot: peerSnap, sync: () => syncOf(peerSnap()) },
    ];
  };
  const joiner = clusterJoiner(new AnswerCache(), local);
  const shown = async () => {
    const a = await joiner.answer('24h', nodes());
    const body = JSON.parse(gunzipSync(Buffer.concat(a.gzip().parts.map((p) => Buffer.from(p)))).toString()) as { nodes: PeerSnapshot[] };
    return body.nodes.find((n) => n.node.id === 'b')!;
  };
  const first = await shown();
  assert.equal(first.syncing, true);
  assert.equal(first.services[0]!.total_checks, 288);
  localVersion = 2;
  const during = await shown();
  // Either moment is right; a mix (288 samples shown as synced) is what a user would wrongly read as all the history.
  assert.equal(during.syncing === true, during.services[0]!.total_checks === 288, JSON.stringify({ syncing: during.syncing, total: during.services[0]!.total_checks }));
  const after = await shown();
  assert.deepEqual([after.syncing, after.services[0]!.total_checks], [undefined, 576], 'the next answer shows the synced peer');
});
