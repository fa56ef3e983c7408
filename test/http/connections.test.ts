/**
 * Connection limits as a client meets them: an answer the daemon takes long
 * to build still arrives, a reader that stops is cut off, and the answer
 * deadline bounds the whole request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardConnections } from '../../src/http/connections.js';

type Handler = (res: ServerResponse) => void;

async function serve(handler: Handler, limits: { answerTimeoutMs: number; idleTimeoutMs: number }): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => handler(res));
  guardConnections(server, limits);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The status and body of a GET, or the error that ended it. */
function get(url: string): Promise<{ status?: number | undefined; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

test('an answer that takes longer to build than the idle limit still arrives (no "socket hang up")', async () => {
  const { url, server } = await serve((res) => {
    setTimeout(() => res.end('built'), 900);
  }, { answerTimeoutMs: 10_000, idleTimeoutMs: 300 });
  try {
    assert.deepEqual(await get(url), { status: 200, body: 'built' });
  } finally {
    server.close();
  }
});

test('an answer that stops moving for the idle limit is cut off', async () => {
  const { url, server } = await serve((res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part');
    // ...and nothing more: the daemon side of a stream that stalled.
  }, { answerTimeoutMs: 10_000, idleTimeoutMs: 300 });
  try {
    const r = await get(url);
    assert.equal(r.body, undefined, 'the answer must not complete');
    assert.match(r.error ?? '', /aborted|hang up|ECONNRESET/);
  } finally {
    server.close();
  }
});

test('the answer deadline bounds a request whose answer never starts', async () => {
  const { url, server } = await serve(() => {
    // never answers
  }, { answerTimeoutMs: 400, idleTimeoutMs: 60_000 });
  try {
    const r = await get(url);
    assert.equal(r.status, undefined);
    assert.match(r.error ?? '', /hang up|ECONNRESET/);
  } finally {
    server.close();
  }
});
