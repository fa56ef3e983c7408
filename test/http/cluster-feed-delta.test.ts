/**
 * `/api/cluster/node/:id?since=<tag>` against the real app: after new
 * samples (and the clock moving on), the delta from the rows a client holds,
 * applied as the dashboard applies it, gives exactly the rows a full request
 * gives now, in a fraction of the bytes; a client without `since` (or with a
 * tag not known here) gets the whole rows as before.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedNodeDetail } from '../../src/views/cluster-feed.js';
import { applyFeedDelta, type FeedNodeDelta } from '../../src/views/feed-delta.js';
import { answerFixture, MIN, NOW, rawGet } from './answer-fixture.js';

const f = await answerFixture({ units: 40, samples: 120 });
after(() => f.close());

const tagOf = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');
async function get(path: string, headers: Record<string, string> = {}) {
  const r = await rawGet(f.url, path, headers);
  return { status: r.status, etag: r.headers.etag, bytes: r.body.length, body: r.status === 200 ? JSON.parse(r.body.toString('utf8')) : undefined };
}

for (const id of ['n1', 'b']) {
  test(`${id}: the delta since the rows held, applied, is the rows a full request gives now`, async () => {
    let held = await get(`/api/cluster/node/${id}`);
    let rows = held.body as FeedNodeDetail;
    let tag = tagOf(held.etag);
    for (const step of [1, 2, 7]) {
      f.setNow(NOW + step * MIN); // the window moves on (a new time bucket) ...
      f.addSample(); // ... with a new sample on the local node
      f.refreshPeers(); // and a peer refresh
      const delta = await get(`/api/cluster/node/${id}?since=${tag}`);
      assert.equal(delta.status, 200);
      const d = delta.body as FeedNodeDelta;
      assert.equal(d.since, tag);
      assert.equal((d as unknown as { units?: unknown }).units, undefined, 'a delta, not the whole rows');
      const full = await get(`/api/cluster/node/${id}`);
      assert.equal(d.tag, tagOf(full.etag), "the delta names the rows it leads to: the next request's since");
      const applied = applyFeedDelta(rows, d);
      assert.deepEqual(applied, full.body, `after step ${step}`);
      assert.ok(delta.bytes < full.bytes, `${delta.bytes} bytes of delta, ${full.bytes} of rows`);
      // The local node has a new sample at each step; peer b's samples stay what they were (its window only moves).
      if (id === 'n1') assert.ok(d.changes.length > 0 || d.every !== undefined, 'the rows did change');
      [rows, tag] = [applied!, d.tag];
    }
    const none = await get(`/api/cluster/node/${id}?since=${tag}`);
    assert.deepEqual((none.body as FeedNodeDelta).changes, [], 'nothing changed since: an empty delta');
  });
}

test('without since, or with a tag not known here, the whole rows come as before (and a 304 on If-None-Match)', async () => {
  const full = await get('/api/cluster/node/n1');
  assert.ok(Array.isArray((full.body as FeedNodeDetail).units));
  for (const since of ['nope', 'x'.repeat(100), `"${tagOf(full.etag)}-gz"x`]) {
    const r = await get(`/api/cluster/node/n1?since=${encodeURIComponent(since)}`);
    assert.deepEqual(r.body, full.body, `since=${since.slice(0, 20)}`);
  }
  assert.equal((await get('/api/cluster/node/n1', { 'If-None-Match': full.etag! })).status, 304);
  // The tag in any ETag form names the same rows.
  for (const since of [full.etag!, `W/${full.etag!}`, `${tagOf(full.etag)}-gz`]) {
    const r = await get(`/api/cluster/node/n1?since=${encodeURIComponent(since)}`);
    assert.deepEqual((r.body as FeedNodeDelta).changes, [], since);
  }
});

test('rows the summary built that no client was sent do not push out the rows a client holds', async () => {
  const held = await get('/api/cluster/node/n1');
  for (let step = 20; step < 28; step++) {
    f.setNow(NOW + step * MIN);
    f.addSample();
    assert.equal((await get('/api/cluster/summary')).status, 200); // a dashboard with every node folded
  }
  const delta = await get(`/api/cluster/node/n1?since=${tagOf(held.etag)}`);
  const d = delta.body as FeedNodeDelta;
  assert.equal(d.since, tagOf(held.etag), 'still a delta from the rows held eight samples ago');
  assert.deepEqual(applyFeedDelta(held.body as FeedNodeDetail, d), (await get('/api/cluster/node/n1')).body);
});
