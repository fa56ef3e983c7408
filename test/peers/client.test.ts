import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPeerClient, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, type PeerClient,
} from '../../src/peers/client.js';
import {
  capture, endless, gzipBody, gzipJson, hang, json, lyingLength, originalNode, redirect, resetFirst, startFakePeer, text, trickle, type FakePeer, type Handler,
} from '../helpers/fake-peer.js';

const MiB = 1024 * 1024;
// Short timeouts keep the suite fast; the messages state whatever bound is configured.
const client: PeerClient = createPeerClient({ version: '9.9.9', requestTimeoutMs: 1000, connectTimeoutMs: 500, maxResponseBytes: MiB, retryDelayMs: 20 });
after(() => client.close());

async function withPeer<T>(handler: Handler, fn: (peer: FakePeer) => Promise<T>): Promise<T> {
  const peer = await startFakePeer(handler);
  try {
    return await fn(peer);
  } finally {
    await peer.close();
  }
}

describe('peer client: requests', () => {
  it('uses the original timeouts, an 8 MiB transfer cap and a 64 MiB decompressed cap by default', () => {
    assert.equal(DEFAULT_CONNECT_TIMEOUT_MS, 5_000);
    assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 10_000);
    assert.equal(DEFAULT_MAX_RESPONSE_BYTES, 8 * MiB);
    assert.equal(DEFAULT_MAX_DECODED_BYTES, 64 * MiB);
  });

  it('sends Accept, our User-Agent and the peer key as a bearer token; no Authorization without a key', async () => {
    await withPeer(originalNode('node-b'), async (peer) => {
      const r = await client.getJson({ base_url: peer.url, api_key: 's3cret' }, '/api/node/status');
      assert.ok(r.ok);
      assert.deepEqual(r.body, capture('node-b/node-status.json'));
      await client.getJson({ base_url: peer.url }, '/api/node/status');
      const [withKey, without] = peer.requests;
      assert.equal(withKey?.headers['accept'], 'application/json');
      assert.equal(withKey?.headers['user-agent'], 'jobmonitor-ts/9.9.9');
      assert.equal(withKey?.headers['authorization'], 'Bearer s3cret');
      assert.equal(without?.headers['authorization'], undefined);
    });
  });

  it('decompresses a gzip answer', async () => {
    await withPeer(gzipJson({ node: { id: 'z' } }), async (peer) => {
      assert.deepEqual(await client.getJson({ base_url: peer.url }, '/api/node/status'), { ok: true, body: { node: { id: 'z' } }, bytes: 19 });
      assert.match(String(peer.requests[0]?.headers['accept-encoding']), /gzip/);
    });
  });

  it('retries once when the connection drops, then succeeds', async () => {
    await withPeer(resetFirst(1, json({ ok: 1 })), async (peer) => {
      const r = await client.getJson({ base_url: peer.url }, '/x');
      assert.deepEqual(r, { ok: true, body: { ok: 1 }, bytes: 8 });
      assert.equal(peer.requests.length, 2);
    });
  });

  it('retries only once', async () => {
    await withPeer(resetFirst(5, json({})), async (peer) => {
      const r = await client.getJson({ base_url: peer.url }, '/x');
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.error, /^connection reset/);
      assert.equal(peer.requests.length, 2);
    });
  });

  it('does not retry an HTTP error', async () => {
    await withPeer(text('boom', 'text/plain', 500), async (peer) => {
      assert.deepEqual(await client.getJson({ base_url: peer.url }, '/x'), { ok: false, error: 'http 500' });
      assert.equal(peer.requests.length, 1);
    });
  });
});

describe('peer client: bad peers are bounded and reported', () => {
  let refused: string;
  before(async () => {
    const gone = await startFakePeer();
    refused = gone.url;
    await gone.close();
  });

  const cases: Array<[string, Handler, RegExp | string]> = [
    ['a wrong key', json({ error: { message: 'invalid api key' } }, 401), '401 unauthorized: check api_key'],
    ['a wrong base path', text('404 page not found\n', 'text/plain', 404), 'http 404'],
    ['a redirect', redirect('http://127.0.0.1:9/elsewhere'), 'redirect to http://127.0.0.1:9/elsewhere not followed'],
    ['an HTML page', text('<html><body>login</body></html>'), /^invalid JSON \(.*content-type text\/html\)$/],
    ['cut-off JSON', text('{"node":{"id":', 'application/json'), /^invalid JSON \(Unexpected end of JSON input\)$/],
    ['an empty body', text('', 'application/json'), 'empty response'],
    ['a body that is not the gzip it claims', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip'), 'invalid gzip body'],
    ['an encoding it was not offered', (_req, res) => res.writeHead(200, { 'content-encoding': 'zstd' }).end('x'), 'unsupported content-encoding "zstd"'],
    ['a peer that never answers', hang(), 'timeout after 1 s'],
    ['a peer that trickles a byte at a time', trickle(100), 'timeout after 1 s'],
    ['an endless body', endless(), 'response too large (> 1 MiB; see peer_max_response_bytes)'],
    ['a Content-Length above the cap', lyingLength(64 * MiB, false), 'response too large (> 1 MiB; see peer_max_response_bytes)'],
    ['a Content-Length it does not keep, connection left open', lyingLength(1000, false), 'timeout after 1 s'],
    ['a Content-Length it does not keep, connection closed', lyingLength(1000, true), /^connection closed before the whole response arrived/],
  ];
  for (const [what, handler, expected] of cases) {
    it(`${what}: ${String(expected)}`, { timeout: 5_000 }, async () => {
      await withPeer(handler, async (peer) => {
        const r = await client.getJson({ base_url: peer.url }, '/api/node/status');
        assert.equal(r.ok, false);
        if (typeof expected === 'string') assert.equal(r.ok ? '' : r.error, expected);
        else assert.match(r.ok ? '' : r.error, expected);
      });
    });
  }

  it('stops reading an endless body: the peer cannot push more than socket buffers past the cap', { timeout: 5_000 }, async () => {
    await withPeer(endless(), async (peer) => {
      await client.getJson({ base_url: peer.url }, '/');
      // The client closed the connection (the test's timeout bounds this wait), so the peer has stopped writing.
      while (peer.openConnections() > 0) await new Promise((r) => setTimeout(r, 10));
      const written = peer.bytesWritten();
      assert.ok(written < 64 * MiB, `peer wrote ${written} bytes`);
    });
  });

  it('does not follow a redirect, even to the same host', { timeout: 5_000 }, async () => {
    const target = await startFakePeer(json({ node: { id: 'elsewhere' } }));
    try {
      await withPeer(redirect(`${target.url}/api/node/status`, 301), async (peer) => {
        const r = await client.getJson({ base_url: peer.url }, '/api/node/status');
        assert.deepEqual(r, { ok: false, error: `redirect to ${target.url}/api/node/status not followed` });
        assert.equal(target.requests.length, 0);
      });
    } finally {
      await target.close();
    }
  });

  it('connection refused', { timeout: 5_000 }, async () => {
    assert.deepEqual(await client.getJson({ base_url: refused }, '/api/node/status'), { ok: false, error: 'connection refused' });
  });

  it('an aborted request ends at once as cancelled', { timeout: 5_000 }, async () => {
    await withPeer(hang(), async (peer) => {
      const ac = new AbortController();
      const pending = client.getJson({ base_url: peer.url }, '/api/node/status', ac.signal);
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      assert.deepEqual(await pending, { ok: false, error: 'request cancelled' });
    });
  });

  it('the cap counts bytes on the wire: a compressed body larger than the cap once decompressed is read', { timeout: 5_000 }, async () => {
    const big = { history: Array.from({ length: 20_000 }, (_, i) => ({ timestamp: new Date(i * 1000).toISOString(), checks: [] })) };
    await withPeer(gzipJson(big), async (peer) => {
      const r = await client.getJson({ base_url: peer.url }, '/api/node/history');
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.ok(r.bytes > MiB, `${r.bytes} bytes decompressed`);
      assert.ok(peer.bytesWritten() < MiB / 4, `${peer.bytesWritten()} bytes on the wire`);
    });
  });

  it('a gzip bomb stops at the decompressed cap', { timeout: 5_000 }, async () => {
    const small = createPeerClient({ version: 'x', maxResponseBytes: MiB, maxDecodedBytes: 4 * MiB });
    try {
      await withPeer(gzipBody(Buffer.alloc(256 * MiB, 0x20)), async (peer) => {
        assert.ok(peer.bytesWritten() < MiB);
        assert.deepEqual(await small.getJson({ base_url: peer.url }, '/'), { ok: false, error: 'response too large (> 4 MiB once decompressed)' });
      });
    } finally {
      small.close();
    }
  });

  it('a cap in bytes that is not whole MiB is shown in bytes', { timeout: 5_000 }, async () => {
    const small = createPeerClient({ version: 'x', maxResponseBytes: 100_000 });
    try {
      await withPeer(endless(), async (peer) => {
        assert.deepEqual(await small.getJson({ base_url: peer.url }, '/'), { ok: false, error: 'response too large (> 100000 bytes; see peer_max_response_bytes)' });
      });
    } finally {
      small.close();
    }
  });
});
