import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SampleLog } from '../../src/history/sample-log.js';
import { createPeerClient } from '../../src/peers/client.js';
import { peerIntervalMs, pullPeer, SINCE_OVERLAP_MS, sinceFor, supportsSince } from '../../src/peers/sync.js';
import { json, originalNode, routes, startFakePeer, startOurNode, text } from '../helpers/fake-peer.js';

const client = createPeerClient({ version: 't', requestTimeoutMs: 2000 });
after(() => client.close());
const MIN = 60_000;

describe('sync rules', () => {
  it('uses `since` only with a node that announces it', () => {
    assert.equal(supportsSince(undefined), false);
    assert.equal(supportsSince({ id: 'a', name: 'A', interval_minutes: 1 }), false);
    assert.equal(supportsSince({ id: 'a', name: 'A', interval_minutes: 1, jobmonitor: { implementation: 'x', version: '1', features: ['stale'] } }), false);
    assert.equal(supportsSince({ id: 'a', name: 'A', interval_minutes: 1, jobmonitor: { implementation: 'x', version: '1', features: ['since'] } }), true);
  });

  it("takes the peer's interval: exact seconds (ours), else whole minutes, else ours", () => {
    assert.equal(peerIntervalMs({ id: 'a', name: 'A', interval_minutes: 1, interval_seconds: 3 }, 5 * MIN), 3000);
    assert.equal(peerIntervalMs({ id: 'a', name: 'A', interval_minutes: 2 }, 5 * MIN), 2 * MIN);
    assert.equal(peerIntervalMs({ id: 'a', name: 'A', interval_minutes: 0 }, 5 * MIN), 5 * MIN);
    assert.equal(peerIntervalMs(undefined, 5 * MIN), 5 * MIN);
  });

  it('asks from the older of the two newest samples, but never more than the overlap before the newer', () => {
    assert.equal(sinceFor({}), undefined);
    assert.equal(sinceFor({ lastStatusMs: 1000 }), 1000);
    assert.equal(sinceFor({ lastConnectivityMs: 2000 }), 2000);
    assert.equal(sinceFor({ lastStatusMs: 100 * MIN, lastConnectivityMs: 99 * MIN }), 99 * MIN);
    // A node that stopped probing a week ago must not make every refresh pull a week.
    assert.equal(sinceFor({ lastStatusMs: 100_000 * MIN, lastConnectivityMs: 1 }), 100_000 * MIN - SINCE_OVERLAP_MS);
  });
});

describe('pullPeer', () => {
  it('asks an original node exactly what the original asks, and never `since`', async () => {
    const peer = await startFakePeer(originalNode('node-b'));
    try {
      const r = await pullPeer({ client, peer: { base_url: peer.url, api_key: 'k' }, cursor: { lastStatusMs: Date.parse('2026-11-28T10:36:52Z') }, ownIntervalMs: 5 * MIN });
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(peer.requests.map((q) => q.url), ['/api/node/status', '/api/node/history?range=30d&limit=43205']);
      assert.equal(r.value.since, undefined);
      assert.equal(r.value.history.history.length, 3);
      assert.equal(r.value.status.node?.id, 'node-b');
    } finally {
      await peer.close();
    }
  });

  it('asks a node of ours only for what is newer than the cursor (JSON pages)', async () => {
    const node = await startOurNode({ nodeId: 'ours', intervalMinutes: 0.05 });
    try {
      const t0 = Date.now() - 60_000;
      for (let i = 0; i < 10; i++) node.status.append({ timestamp: new Date(t0 + i * 3000).toISOString(), checks: [{ id: 'web', name: 'Web', ok: true, state: 'active' }] });
      const now = () => t0 + 60_000;
      // Nothing held yet: a node that pages is asked for its newest day first (the head), a page of ~16 MB of JSON.
      const head = await pullPeer({ client, peer: { base_url: node.url }, cursor: {}, ownIntervalMs: 5 * MIN, now, compact: false });
      assert.ok(head.ok, head.ok ? '' : head.error);
      assert.equal(head.value.head, true);
      assert.equal(head.value.history.history.length, 10);
      assert.equal(node.requests[1]?.url, '/api/node/history?range=24h&limit=100000');
      // The older days are then read forward from a month ago (mode forward), the same page size.
      const full = await pullPeer({ client, peer: { base_url: node.url }, cursor: {}, ownIntervalMs: 5 * MIN, now, compact: false, mode: 'forward' });
      assert.ok(full.ok, full.ok ? '' : full.error);
      assert.equal(full.value.history.history.length, 10);
      const monthAgo = new Date(now() - 30 * 24 * 3600_000).toISOString();
      assert.equal(node.requests[3]?.url, `/api/node/history?range=30d&limit=100000&since=${encodeURIComponent(monthAgo)}`);
      assert.equal(full.value.history.more, undefined);

      const cursor = { lastStatusMs: t0 + 7 * 3000 };
      const part = await pullPeer({ client, peer: { base_url: node.url }, cursor, ownIntervalMs: 5 * MIN, now, compact: false });
      assert.ok(part.ok, part.ok ? '' : part.error);
      assert.equal(part.value.since, cursor.lastStatusMs);
      assert.deepEqual(part.value.history.history.map((e) => Date.parse(e.timestamp)), [t0 + 8 * 3000, t0 + 9 * 3000]);
      assert.equal(node.requests[5]?.url, `/api/node/history?range=30d&limit=100000&since=${encodeURIComponent(new Date(cursor.lastStatusMs).toISOString())}`);

      // Small pages: the oldest entries after since come first, with more: true while some are left.
      const paged = await pullPeer({ client, peer: { base_url: node.url }, cursor: { lastStatusMs: t0 }, ownIntervalMs: 5 * MIN, now, compact: false, pageBytes: 1 });
      assert.ok(paged.ok, paged.ok ? '' : paged.error);
      assert.equal(paged.value.history.history.length, 9, 'fewer entries left than the smallest page (20)');
      assert.equal(paged.value.history.more, undefined);
    } finally {
      await node.close();
    }
  });

  it('asks a node of ours that announces cols for compact pages, which hold the same samples as the JSON pages', async () => {
    const node = await startOurNode({ nodeId: 'ours', intervalMinutes: 0.05 });
    try {
      const t0 = Date.now() - 60_000;
      for (let i = 0; i < 10; i++) {
        node.status.append({ timestamp: new Date(t0 + i * 3000).toISOString(), checks: [{ id: 'web', name: 'Web', ok: i !== 4, state: i !== 4 ? 'active' : 'failed', ...(i === 4 ? { error: 'exit 3' } : {}) }] });
      }
      const now = () => t0 + 60_000;
      const viaJson = await pullPeer({ client, peer: { base_url: node.url }, cursor: {}, ownIntervalMs: 5 * MIN, now, compact: false });
      const viaCols = await pullPeer({ client, peer: { base_url: node.url }, cursor: {}, ownIntervalMs: 5 * MIN, now });
      assert.ok(viaJson.ok && viaCols.ok);
      assert.equal(viaCols.value.compact, true, 'the compact form was used');
      assert.match(node.requests[3]?.url ?? '', /^\/api\/node\/history\?range=24h&limit=\d+&format=cols$/);
      assert.equal(viaCols.value.history.history.length, 0, 'no entry objects: the samples come as columns');
      const cols = viaCols.value.history.columns!;
      const log = new SampleLog();
      log.appendColumns(cols);
      assert.deepEqual(log.entries(-Infinity, Infinity), SampleLog.fromEntries(viaJson.value.history.history).entries(-Infinity, Infinity));
      assert.deepEqual(viaCols.value.history.node, viaJson.value.history.node);
      assert.deepEqual(viaCols.value.history.targets, viaJson.value.history.targets);
      assert.ok(viaCols.value.bytes < viaJson.value.bytes, `compact ${viaCols.value.bytes} bytes vs JSON ${viaJson.value.bytes}`);
    } finally {
      await node.close();
    }
  });

  it("reports which request failed, as the original's errors", async () => {
    const peer = await startFakePeer(routes({ '/api/node/status': json({ node: { id: 'x' } }), '/api/node/history': text('nope', 'text/plain', 500) }));
    try {
      assert.deepEqual(await pullPeer({ client, peer: { base_url: peer.url }, cursor: {}, ownIntervalMs: MIN }), { ok: false, error: 'history fetch failed: http 500' });
      peer.handle(json({ node: { id: 1 } }));
      assert.deepEqual(await pullPeer({ client, peer: { base_url: peer.url }, cursor: {}, ownIntervalMs: MIN }), {
        ok: false,
        error: 'status fetch failed: invalid payload: node.id: expected string, got 1',
      });
      peer.handle(routes({}));
      assert.deepEqual(await pullPeer({ client, peer: { base_url: `${peer.url}/nope` }, cursor: {}, ownIntervalMs: MIN }), { ok: false, error: 'status fetch failed: http 404' });
    } finally {
      await peer.close();
    }
  });
});
