/**
 * Bad peers against the real daemon process. test/peers/ covers each bad
 * behaviour against the client and the poller; what is added here: a valid
 * payload with a million samples, and the whole set at once around a real
 * daemon, whose own checks, API and memory must not notice.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { eventually, startDaemonProcess } from '../helpers/daemon.js';
import { endless, hang, json, lyingLength, originalNode, redirect, routes, startFakePeer, text, trickle, type FakePeer, type Handler } from '../helpers/fake-peer.js';
import { fakeBin, procFigures, scratch, targets } from './support.js';

/** A node of ours in every respect, except that its history holds `n` samples, one a second up to now. */
function millionSamples(n: number, now: number): { handler: Handler; bytes: number; wire: number } {
  const node = { id: 'million', name: 'Million', interval_minutes: 1 };
  const parts: string[] = [];
  for (let i = n - 1; i >= 0; i--) parts.push(`{"timestamp":"${new Date(now - i * 1000).toISOString()}","checks":[]}`);
  const history = Buffer.from(`{"node":${JSON.stringify(node)},"history":[${parts.join(',')}]}`);
  const gz = gzipSync(history);
  const status = json({ node, status: { timestamp: new Date(now).toISOString(), checks: [] }, generated_at: new Date(now).toISOString() });
  const handler = routes({
    '/api/node/status': status,
    '/api/node/history': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) });
      res.end(gz);
    },
  });
  return { handler, bytes: history.length, wire: gz.length };
}

/** Starts fake peers, all closed when the test ends. */
function fakePeers(t: { after(fn: () => unknown): void }): (h: Handler) => Promise<FakePeer> {
  const peers: FakePeer[] = [];
  t.after(() => Promise.all(peers.map((p) => p.close())));
  return async (h) => {
    const p = await startFakePeer(h);
    peers.push(p);
    return p;
  };
}

test('bad peers around a real daemon, a million samples among them: each bounded and reported as its own error; local checks, API and memory unaffected', { timeout: 120_000 }, async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t, 'jm-rel-peers-');
  const fake = fakePeers(t);
  const elsewhere = await fake(json({ node: { id: 'elsewhere' } }));
  const million = millionSamples(1_000_000, Date.now());
  const bad: Array<[string, Handler, RegExp]> = [
    ['drip', trickle(100), /^status fetch failed: timeout after 10 s$/],
    ['silent', hang(), /^status fetch failed: timeout after 10 s$/],
    ['endless', endless(), /^status fetch failed: response too large \(> 8 MiB; see peer_max_response_bytes\)$/],
    ['liar', lyingLength(100_000, true), /^status fetch failed: connection closed before the whole response arrived/],
    ['mover', redirect(`${elsewhere.url}/api/node/status`), /^status fetch failed: redirect to http:\/\/127\.0\.0\.1:\d+\/api\/node\/status not followed$/],
    ['garbage', text('<html>It works!</html>'), /^status fetch failed: invalid JSON/],
    // 1,000,000 samples: ~55 MB of JSON, ~2 MB gzipped on the wire; past peer_max_entries (100,000): refused as the bytes arrive.
    ['million', million.handler, /^history fetch failed: body has a list of more than 100000 entries \(peer_max_entries\)$/],
  ];
  const good = await fake(originalNode('node-b'));
  const peerList = [{ id: 'node-b', name: 'Good', base_url: good.url }];
  for (const [id, h] of bad) peerList.push({ id, name: id, base_url: (await fake(h)).url });

  const d = await startDaemonProcess({
    config: { interval_minutes: 0.02, data_directory: 'data', node_id: 'local', node_name: 'Local', targets: targets(10), peers: peerList },
    dir,
    pathPrepend: [bin.dir],
  });
  t.after(() => d.stop());
  const statusTimes: string[] = [];
  let answered = 0;
  const errorsNow = async () => {
    const r = await d.get('/api/cluster?range=24h');
    assert.equal(r.status, 200);
    answered++;
    const s = (await d.get('/api/node/status')).body.status?.timestamp as string | undefined;
    if (s !== undefined && statusTimes.at(-1) !== s) statusTimes.push(s);
    return new Map((r.body.nodes as Array<{ node: { id: string }; error?: string; stale?: boolean }>).map((n) => [n.node.id, n]));
  };
  // Every peer has had its first refresh once each slow one has timed out (10 s) and the others answered.
  const nodes = await eventually(async () => {
    const m = await errorsNow();
    const done = bad.every(([id]) => m.get(id)?.error !== undefined);
    return done && m.get('node-b')?.stale === false ? m : undefined;
  }, 60_000, 'a first refresh of every peer');

  assert.equal(nodes.get('local')?.error, undefined);
  assert.equal(nodes.get('node-b')?.error, undefined, 'the good peer is unaffected');
  const got: Record<string, string> = {};
  for (const [id, , expected] of bad) {
    got[id] = nodes.get(id)?.error ?? '';
    assert.match(got[id]!, expected, id);
  }
  assert.equal(elsewhere.requests.length, 0, 'the redirect was not followed');
  // Local sampling went on through all of it, and the API answered every time.
  assert.ok(statusTimes.length >= 3, `local samples seen: ${statusTimes.length}`);
  assert.ok(answered >= 3);
  const figures = procFigures(d.child.pid!);
  // ~55 MB of JSON fits under the 64 MiB decompressed cap; the list is refused once its 100,001st entry has arrived,
  // before any of it is parsed. Before the limits it was parsed and stored: 590-750 MiB peak.
  assert.ok(figures.peakMiB < 1024, `peak RSS ${figures.peakMiB.toFixed(0)} MiB`);
  const started = performance.now();
  const cluster = await d.get('/api/cluster?range=30d');
  const clusterMs = performance.now() - started;
  assert.equal(cluster.status, 200);
  const held = (cluster.body.nodes as Array<{ node: { id: string }; history?: unknown[] }>).find((n) => n.node.id === 'million');
  const metrics = (await d.get('/metrics')).text;
  const heap = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1]) / 1024 / 1024;
  const onDisk = execFileSync('du', ['-sm', join(dir, 'data', 'peers', 'million')], { encoding: 'utf8' }).split('\t')[0];
  t.diagnostic(`million-sample peer: ${onDisk} MiB on disk, daemon heap in use ${heap.toFixed(0)} MiB`);
  t.diagnostic(`/api/cluster?range=30d with the million-sample peer held: ${clusterMs.toFixed(0)} ms, ${(cluster.text.length / 1024 / 1024).toFixed(1)} MiB; its history in the answer: ${held?.history?.length ?? 'none'}`);
  const last = (await d.get('/api/node/status')).body.status.timestamp as string;
  await eventually(async () => (await d.get('/api/node/status')).body.status.timestamp !== last, 20_000, 'one more local sample');
  t.diagnostic(`million samples: ${(million.bytes / 1024 / 1024).toFixed(1)} MiB of JSON, ${(million.wire / 1024 / 1024).toFixed(2)} MiB on the wire; peak RSS ${figures.peakMiB.toFixed(0)} MiB, now ${figures.rssMiB.toFixed(0)} MiB; errors: ${JSON.stringify(got)}`);
});

/** `body` gzipped once, served for every path (status and history alike). */
function gzipped(body: string | Buffer): Handler {
  const gz = gzipSync(body);
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length) });
    res.end(gz);
  };
}

/** An original-shaped node whose history holds `targets` targets with `samples` samples each. */
function manyTargets(targets: number, samples: number, now: number): Handler {
  const node = { id: 'many', name: 'Many', interval_minutes: 1 };
  const list = Array.from({ length: targets }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, service: `t${i}.service`, timeout_seconds: 10, use_sudo: false }));
  const entry = (ms: number) => ({ timestamp: new Date(ms).toISOString(), checks: list.map((t) => ({ id: t.id, name: t.name, ok: true, state: 'active' })) });
  const history = Array.from({ length: samples }, (_, i) => entry(now - (samples - i) * 60_000));
  return routes({
    '/api/node/status': gzipped(JSON.stringify({ node, status: history.at(-1), targets: list })),
    '/api/node/history': gzipped(JSON.stringify({ node, history, targets: list })),
  });
}

test('hostile peers around a real daemon, one of each class: refused with bounded errors; /api/cluster 2xx and /healthz answer throughout; a poisoned peer.json is moved aside', { timeout: 180_000 }, async (t) => {
  const bin = fakeBin(t);
  const dir = scratch(t, 'jm-rel-hostile-');
  const fake = fakePeers(t);
  const now = Date.now();
  const node = { id: 'x', name: 'X', interval_minutes: 1 };
  const classes: Array<[string, Handler, RegExp]> = [
    ['targets', manyTargets(60_000, 3, now), /^status fetch failed: invalid payload: targets: 60000 targets, more than the 5000 allowed \(peer_max_targets\)$/],
    // 30 million brackets (60 MB, 60 KB gzipped): under every size cap, refused before it is parsed.
    ['nesting', gzipped(Buffer.alloc(60_000_000, '[').fill(']', 30_000_000)), /^status fetch failed: body nested deeper than 32 levels$/],
    ['number', json({ node: { ...node, interval_minutes: 'x'.repeat(10_000_000) } }), /^status fetch failed: invalid payload: node\.interval_minutes: expected number, got "x+…\(\d+ more\)$/],
    ['future', routes({
      '/api/node/status': json({ node }),
      '/api/node/history': json({ node, history: [{ timestamp: new Date(now - 60_000).toISOString(), checks: [] }, { timestamp: '9999-12-31T23:59:59Z', checks: [] }] }),
    }), /^history fetch failed: invalid payload: history\[1\]\.timestamp: 9999-12-31T23:59:59Z is ahead of this node's clock by more than 5 min/],
    ['control', redirect('http://x/\u0085\u009b2026/01/01 00:00:00 forged'), /^status fetch failed: redirect to ".*" not followed$/],
    ['tiny-interval', json({ node: { ...node, interval_seconds: 1e-9 } }), /^status fetch failed: invalid payload: node\.interval_seconds: must be between 1 and 604800/],
  ];
  const good = await fake(originalNode('node-b'));
  const peerList = [{ id: 'node-b', name: 'Good', base_url: good.url }];
  for (const [id, h] of classes) peerList.push({ id, name: id, base_url: (await fake(h)).url });
  // A peer.json from before the limits: 60,000 targets, kept on disk.
  const poisoned = join(dir, 'data', 'peers', 'targets');
  mkdirSync(poisoned, { recursive: true });
  const manyList = Array.from({ length: 60_000 }, (_, i) => ({ id: `t${i}`, name: `T ${i}`, service: `t${i}.service`, timeout_seconds: 10, use_sudo: false }));
  writeFileSync(join(poisoned, 'peer.json'), JSON.stringify({ node: { id: 'many', name: 'Many', interval_minutes: 1 }, targets: manyList, last_success_at: new Date(now - 60_000).toISOString() }));

  const d = await startDaemonProcess({
    config: { interval_minutes: 0.02, data_directory: 'data', node_id: 'local', node_name: 'Local', targets: targets(5), peers: peerList, peer_max_response_bytes: 64 * 1024 * 1024 },
    dir,
    pathPrepend: [bin.dir],
  });
  t.after(() => d.stop());
  let healthy = 0;
  const nodes = await eventually(async () => {
    const r = await d.get('/api/cluster?range=30d');
    assert.equal(r.status, 200);
    assert.equal((await d.get('/healthz')).status, 200);
    healthy++;
    const m = new Map((r.body.nodes as Array<{ node: { id: string }; error?: string; stale?: boolean; targets?: unknown[] }>).map((n) => [n.node.id, n]));
    return classes.every(([id]) => m.get(id)?.error !== undefined) && m.get('node-b')?.stale === false ? m : undefined;
  }, 90_000, 'a first refresh of every peer');

  assert.equal(nodes.get('node-b')?.error, undefined, 'the good peer is unaffected');
  for (const [id, , expected] of classes) {
    const e = nodes.get(id)?.error ?? '';
    assert.match(e, expected, id);
    assert.ok(e.length <= 600, `${id}: ${e.length} characters`);
  }
  assert.equal(nodes.get('targets')?.targets, undefined, 'the poisoned peer.json is not served');
  assert.equal(existsSync(join(poisoned, 'peer.json.rejected')), true);
  assert.match(d.logs(), /WARN peer targets: .*peer\.json is not a valid peer file \(targets: 60000 targets, more than the 5000 allowed \(peer_max_targets\)\); moved aside/);
  // One message, one line: nothing a peer sent forged a line or reached the log whole.
  const logLines = d.logs().split('\n');
  assert.ok(logLines.every((l) => l.length < 2000), `longest log line ${Math.max(...logLines.map((l) => l.length))}`);
  assert.doesNotMatch(d.logs(), /[\u0080-\u009f\u2028\u2029]/);
  assert.ok(!logLines.some((l) => l.startsWith('2026/01/01 00:00:00 forged')));
  const onDisk = execFileSync('du', ['-sk', join(dir, 'data', 'peers')], { encoding: 'utf8' }).split('\t')[0];
  const figures = procFigures(d.child.pid!);
  t.diagnostic(`hostile classes: ${healthy} rounds of /api/cluster + /healthz answered; peers dir ${onDisk} KiB; peak RSS ${figures.peakMiB.toFixed(0)} MiB, now ${figures.rssMiB.toFixed(0)} MiB`);
  assert.ok(figures.peakMiB < 1024, `peak RSS ${figures.peakMiB.toFixed(0)} MiB`);
});
