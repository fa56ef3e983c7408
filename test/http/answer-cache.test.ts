/**
 * Answers kept as bytes per data version: the same bytes as the builders the
 * routes used before (JSON.stringify of the same objects), cached or not, gzip
 * or not, before and after a new sample; ETag and 304; the cache's bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { AnswerCache } from '../../src/http/answer-cache.js';
import { registerAnswerCacheMetrics } from '../../src/http/answer-cache-metrics.js';
import { toBytes } from '../../src/http/answer.js';
import { createMetricsRegistry } from '../../src/metrics/registry.js';
import type { RangeName } from '../../src/types.js';
import { answerFixture, MIN, NOW, rawGet, type AnswerFixture } from './answer-fixture.js';

const RANGES: RangeName[] = ['24h', '30d'];

/** Today's bytes of each route: its builder's object, stringified as Koa did for an object body. */
function expected(fx: AnswerFixture): Map<string, string> {
  const { local } = fx;
  const m = new Map<string, string>();
  m.set('/api/node/status', JSON.stringify(local.statusBody()));
  m.set('/api/status', JSON.stringify(local.statusBody()['status']));
  for (const r of RANGES) {
    m.set(`/api/node/uptime?range=${r}`, JSON.stringify(local.uptimeBody(r)));
    m.set(`/api/node/history?range=${r}`, JSON.stringify(local.historyBody(r, 200)));
    m.set(`/api/node/history?range=${r}&limit=7`, JSON.stringify(local.historyBody(r, 7)));
    m.set(`/api/uptime?range=${r}`, JSON.stringify(local.uptimeBody(r)['services']));
    m.set(`/api/history?range=${r}`, JSON.stringify(local.historyBody(r, 200)['history']));
    m.set(`/api/history?range=${r}&limit=3`, JSON.stringify(local.historyBody(r, 3)['history']));
    const w = local.window(r);
    m.set(`/api/cluster?range=${r}`, JSON.stringify({
      generated_at: new Date(w.end).toISOString(), range: r, range_start: new Date(w.start).toISOString(), range_end: new Date(w.end).toISOString(),
      nodes: [local.snapshot(r), ...fx.peers(r)],
    }));
    m.set(`/api/incidents?range=${r}`, JSON.stringify(fx.incidents(r, 1000)));
  }
  return m;
}

/** Routes whose builder is not reachable from outside the app: compared with an app that keeps nothing. */
const OTHER = [
  '/api/openapi.json', '/metrics', '/api/badge/unit-0/status.svg', '/api/badge/unit-0/uptime.svg?range=30d',
  '/api/badge/unit-1/shields.json?kind=uptime&label=x', '/api/badge/unit-0/shields.json',
];

async function assertSame(fx: AnswerFixture, uncached: AnswerFixture, phase: string): Promise<void> {
  for (const [path, want] of expected(fx)) {
    for (const round of ['first', 'kept']) {
      const a = await rawGet(fx.url, path);
      assert.equal(a.status, 200, `${phase} ${path}`);
      assert.equal(a.body.toString(), want, `${phase}, ${round} request: ${path} differs from its builder`);
      assert.match(String(a.headers['content-type']), /^application\/json; charset=utf-8$/);
    }
    const z = await rawGet(fx.url, path, { 'Accept-Encoding': 'gzip' });
    const plain = z.headers['content-encoding'] === 'gzip' ? gunzipSync(z.body) : z.body;
    assert.equal(plain.toString(), want, `${phase}: gzip form of ${path}`);
  }
  for (const path of OTHER) {
    const [a, b] = [await rawGet(fx.url, path), await rawGet(uncached.url, path)];
    assert.equal(a.status, 200, `${phase} ${path}`);
    assert.equal(a.body.toString(), b.body.toString(), `${phase}: ${path} kept differs from built`);
    assert.equal(a.headers['content-type'], b.headers['content-type']);
  }
}

test('every read endpoint answers its builder\'s bytes, kept or not, gzip or not, before and after a new sample and a peer refresh', async () => {
  const fx = await answerFixture();
  const uncached = await answerFixture({ cache: new AnswerCache({ maxAnswerBytes: 0 }) });
  try {
    await assertSame(fx, uncached, 'before');
    assert.ok(fx.cache.size > 10, 'answers are kept');
    for (const f of [fx, uncached]) {
      f.setNow(NOW + MIN);
      f.addSample();
      f.refreshPeers();
    }
    await assertSame(fx, uncached, 'after a sample');
    assert.deepEqual(fx.errors, []);
  } finally {
    await fx.close();
    await uncached.close();
  }
});

test('If-None-Match with the ETag is a 304; a new sample, a peer refresh and the next minute each change the ETag', async () => {
  const fx = await answerFixture();
  try {
    const first = await rawGet(fx.url, '/api/node/status');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]+"$/, 'a strong ETag');
    const again = await rawGet(fx.url, '/api/node/status', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);

    const gz = await rawGet(fx.url, '/api/node/status', { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.notEqual(gz.headers.etag, etag, 'the gzip form has its own ETag');
    assert.equal((await rawGet(fx.url, '/api/node/status', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag })).status, 304, 'either form is "the same answer"');
    assert.equal((await rawGet(fx.url, '/api/node/status', { 'If-None-Match': `"other", ${String(gz.headers.etag)}` })).status, 304);
    assert.equal((await rawGet(fx.url, '/api/node/status', { 'If-None-Match': '"other"' })).status, 200);

    fx.setNow(NOW + 10_000);
    assert.equal((await rawGet(fx.url, '/api/node/status', { 'If-None-Match': etag })).status, 304, 'within the same minute, nothing changed');
    fx.addSample();
    const changed = await rawGet(fx.url, '/api/node/status', { 'If-None-Match': etag });
    assert.equal(changed.status, 200, 'a new sample is a new answer');
    assert.notEqual(changed.headers.etag, etag);
    assert.equal(JSON.parse(changed.body.toString()).status.timestamp, new Date(NOW + 10_000).toISOString());

    const cluster = await rawGet(fx.url, '/api/cluster');
    assert.equal((await rawGet(fx.url, '/api/cluster', { 'If-None-Match': String(cluster.headers.etag) })).status, 304);
    fx.refreshPeers();
    assert.equal((await rawGet(fx.url, '/api/cluster', { 'If-None-Match': String(cluster.headers.etag) })).status, 200, 'a peer refresh is a new cluster answer');

    const uptime = await rawGet(fx.url, '/api/node/uptime');
    fx.setNow(NOW + 2 * MIN);
    const later = await rawGet(fx.url, '/api/node/uptime', { 'If-None-Match': String(uptime.headers.etag) });
    assert.equal(later.status, 200, 'the window moved: a new answer');
    assert.equal(JSON.parse(later.body.toString()).range_end, new Date(NOW + 2 * MIN).toISOString());

    const hist = await rawGet(fx.url, '/api/history');
    assert.equal((await rawGet(fx.url, '/api/history', { 'If-None-Match': String(hist.headers.etag) })).status, 304, 'a streamed history is kept and revalidates');
  } finally {
    await fx.close();
  }
});

test('/metrics is kept for at most a second, and never past a data change', async () => {
  const fx = await answerFixture();
  try {
    const stamp = async () => /^jobmonitor_last_sample_timestamp_seconds\{node="n1"\} (\S+)$/m.exec((await rawGet(fx.url, '/metrics')).body.toString())?.[1];
    const before = await stamp();
    assert.equal(before, String((NOW - MIN) / 1000));
    fx.addSample(); // same clock, same second
    assert.equal(await stamp(), String(NOW / 1000), 'a new sample shows at once');
  } finally {
    await fx.close();
  }
});

test('the cache keeps the most recently asked answers within its byte and entry bounds', () => {
  const cache = new AnswerCache({ maxBytes: 10_000, maxEntries: 3, maxAnswerBytes: 9_500 });
  const build = (n: number) => () => ({ bytes: toBytes([Buffer.alloc(n, 120)]), type: 'text/plain' });
  for (const k of ['a', 'b', 'c']) cache.answer(k, 'v1', build(3_000));
  assert.equal(cache.size, 3);
  cache.get('a', 'v1'); // a is now the most recently asked
  cache.answer('d', 'v1', build(3_000));
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b', 'v1'), undefined, 'the least recently asked went first');
  assert.ok(cache.get('a', 'v1') !== undefined);
  assert.ok(cache.bytes() <= 10_000);
  cache.answer('e', 'v1', build(9_000));
  assert.ok(cache.bytes() <= 10_000, 'bytes bound');
  assert.equal(cache.answer('big', 'v1', build(20_000)).length, 20_000, 'a large answer is still served');
  assert.equal(cache.get('big', 'v1'), undefined, '... but not kept');
  assert.equal(cache.get('e', 'v2'), undefined, 'another version is a miss');
  const a1 = cache.answer('x', 'v1', build(10));
  const a2 = cache.answer('x', 'v2', build(10));
  assert.notEqual(a1.tag, a2.tag, 'every build has its own tag');
  assert.throws(() => new AnswerCache({ maxBytes: 0 }), /maxBytes/);
});

test('a large answer nobody asked for lately is dropped, so memory comes back after a burst; small and recently asked ones stay', () => {
  let clock = 0;
  const dropped: number[] = [];
  const cache = new AnswerCache({ idleMs: 1_000, largeBytes: 1_000, now: () => clock, onIdleDrop: (b) => dropped.push(b) });
  const build = (n: number) => () => ({ bytes: toBytes([Buffer.alloc(n, 120)]), type: 'text/plain' });
  cache.answer('large-idle', 'v1', build(5_000));
  cache.answer('large-polled', 'v1', build(5_000));
  cache.answer('small-idle', 'v1', build(100));
  clock = 700;
  cache.dropIdle();
  assert.equal(cache.size, 3, 'nothing is idle yet');
  assert.deepEqual(dropped, [], 'nothing dropped, nothing to give back');
  assert.ok(cache.get('large-polled', 'v1') !== undefined, 'a poll at 0.7 s');
  clock = 1_500;
  cache.dropIdle();
  assert.equal(cache.get('large-idle', 'v1'), undefined, 'the idle large answer is gone');
  assert.ok(cache.get('large-polled', 'v1') !== undefined, 'the polled one stays');
  assert.ok(cache.get('small-idle', 'v1') !== undefined, 'a small answer stays until the bounds push it out');
  assert.equal(cache.bytes(), 5_100);
  assert.deepEqual(dropped, [5_000], 'the bytes dropped are reported, so they can be given back (src/memory-release.ts)');
  assert.throws(() => new AnswerCache({ idleMs: 0 }), /idleMs/);
});

test('the cache size and entries are in /metrics', async () => {
  const cache = new AnswerCache();
  cache.answer('k', 'v', () => ({ bytes: toBytes(['x'.repeat(1234)]), type: 'text/plain' }));
  const registry = createMetricsRegistry({
    node: { id: 'n1', name: 'N' }, version: 't', targets: () => [], latestStatus: () => undefined, uptime: () => [],
    peers: () => [], history: { pendingWrites: () => 0, droppedWrites: () => 0, lastWriteError: () => undefined },
    pool: () => ({ queued: 0, completed: 0, timeouts: 0, workerErrors: 0 }),
  }, { processMetrics: false });
  registerAnswerCacheMetrics(registry, cache, 'n1');
  const text = await registry.metrics();
  assert.match(text, /^jobmonitor_http_answer_cache_bytes\{node="n1"\} 1234$/m);
  assert.match(text, /^jobmonitor_http_answer_cache_entries\{node="n1"\} 1$/m);
});
