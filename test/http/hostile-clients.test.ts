/**
 * Clients that send what no browser sends: Accept-Encoding values that rule
 * out every coding or make no sense, bytes Node's parser refuses, headers too
 * large, and sockets that ask for a large answer and never read it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, get as httpGet } from 'node:http';
import { connect, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { answerFixture, rawGet } from './answer-fixture.js';

const ENCODINGS = ['identity;q=0', '*;q=0', 'gzip;q=0, identity;q=0', 'gzip;q=0,*;q=0', 'garbage,,;;q=x', 'gzip;q=abc', ';;;', 'x'.repeat(8000)];
const PATHS = ['/api/node/status', '/api/node/history?since=2026-11-28T11:00:00Z', '/api/cluster', '/', '/healthz', '/api/nope', '/metrics'];

test('no Accept-Encoding value gives an error or a log line: a refused coding gets the answer uncompressed', async () => {
  const fx = await answerFixture();
  try {
    for (const enc of ENCODINGS) {
      for (const path of PATHS) {
        const r = await rawGet(fx.url, path, { 'Accept-Encoding': enc });
        const what = `${path} with Accept-Encoding ${enc.slice(0, 30)}`;
        assert.equal(r.status, path === '/api/nope' ? 404 : 200, what);
        const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
        assert.equal(r.headers['content-encoding'], undefined, `${what}: gzip was not asked for`);
        if (path !== '/' && path !== '/metrics') assert.doesNotThrow(() => JSON.parse(body.toString()), what);
      }
    }
    assert.deepEqual(fx.errors, [], 'nothing logged');
    const gz = await rawGet(fx.url, '/api/node/status', { 'Accept-Encoding': 'br;q=1, gzip;q=0.5' });
    assert.equal(gz.headers['content-encoding'], 'gzip', 'gzip when it is the acceptable coding we have');
    for (const [enc, want] of [['gzip, deflate, br', 'gzip'], ['GZip', 'gzip'], ['deflate, br', undefined], ['identity', undefined], ['gzip;q=0.5, identity', undefined]] as const) {
      assert.equal((await rawGet(fx.url, '/api/node/status', { 'Accept-Encoding': enc })).headers['content-encoding'], want, enc);
    }
  } finally {
    await fx.close();
  }
});

/** Writes raw bytes and reads until the server closes. */
function rawExchange(url: string, bytes: Buffer): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => s.write(bytes));
    const parts: Buffer[] = [];
    s.on('data', (b) => parts.push(b));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
  });
}

test('a request Node cannot parse gets a JSON error, not an empty 400', async () => {
  const fx = await answerFixture();
  try {
    const cases: Array<[string, Buffer, number, string]> = [
      ['raw non-ASCII in the path', Buffer.from('GET /api/\xff\xfe\x80 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'), 400, 'bad_request'],
      ['UTF-8 in the path', Buffer.from('GET /api/node/statüs HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'), 400, 'bad_request'],
      ['control bytes for a method', Buffer.from('\x00\x01\x02 / HTTP/1.1\r\n\r\n', 'latin1'), 400, 'bad_request'],
      ['not HTTP at all', Buffer.from('hello there\r\n\r\n'), 400, 'bad_request'],
      ['a header past 16 KiB', Buffer.from(`GET /api/node/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large'],
    ];
    for (const [what, bytes, status, code] of cases) {
      const answer = await rawExchange(fx.url, bytes);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), what);
      assert.match(answer, /\r\nContent-Type: application\/json; charset=utf-8\r\n/, what);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { message: string; code: string } };
      assert.equal(body.error.code, code, what);
      assert.ok(body.error.message.length > 0, what);
    }
    assert.equal((await rawGet(fx.url, '/api/node/status')).status, 200, 'the server still answers');
  } finally {
    await fx.close();
  }
});

function openConnections(fx: { server: { getConnections(cb: (e: Error | null, n: number) => void): void } }): Promise<number> {
  return new Promise((r, j) => fx.server.getConnections((e, n) => (e !== null ? j(e) : r(n))));
}

/** Memory that holds answers: the JS heap and Buffers. */
const held = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

for (const [name, limits] of [
  ['the answer timeout', { answerTimeoutMs: 1_500, idleTimeoutMs: 60_000 }],
  ['the idle timeout', { answerTimeoutMs: 60_000, idleTimeoutMs: 1_500 }],
] as const) {
  test(`clients that ask for a large history and never read hold little memory and are cut off by ${name}`, async () => {
    const fx = await answerFixture({ units: 300, samples: 1500, historyCap: 100_000, limits });
    const sockets: Socket[] = [];
    try {
      const one = await rawGet(fx.url, '/api/node/history?range=30d&limit=99999');
      const size = one.body.length;
      assert.ok(size > 25_000_000, `a large answer (${size} bytes)`);
      const before = held();
      const { port } = new URL(fx.url);
      for (let i = 0; i < 10; i++) {
        const s = connect(Number(port), '127.0.0.1');
        s.on('error', () => {});
        s.pause(); // never reads
        // A different limit per socket: each is its own answer, none comes from the cache.
        s.write(`GET /api/node/history?range=30d&limit=${90_000 + i} HTTP/1.1\r\nHost: x\r\n\r\n`);
        sockets.push(s);
      }
      while ((await openConnections(fx)) < 10) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 500)); // let the server write what the sockets take
      const grown = held() - before;
      assert.ok(grown < 2 * size, `10 stalled answers of ${size} bytes hold ${grown} bytes more`);
      while ((await openConnections(fx)) > 0) await new Promise((r) => setTimeout(r, 50));
      // Each client gets at most a part of its answer, then the end of the connection.
      const got = await Promise.all(sockets.map((s) => new Promise<number>((r) => {
        let n = 0;
        s.on('data', (b: Buffer) => (n += b.length));
        s.on('close', () => r(n));
        s.resume();
      })));
      for (const n of got) assert.ok(n < size, `a cut-off client received ${n} of ${size} bytes`);
    } finally {
      for (const s of sockets) s.destroy();
      await fx.close();
    }
  });
}

test('the answer time limit is per answer: a keep-alive client asking again and again is not cut off', async () => {
  const fx = await answerFixture({ limits: { answerTimeoutMs: 300, idleTimeoutMs: 60_000 } });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const sockets = new Set<unknown>();
    for (let i = 0; i < 8; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpGet(`${fx.url}/api/node/status`, { agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
      assert.equal(status, 200);
      await new Promise((r) => setTimeout(r, 100)); // together longer than the limit
    }
    assert.equal(sockets.size, 1, 'one connection served every request');
  } finally {
    agent.destroy();
    await fx.close();
  }
});
