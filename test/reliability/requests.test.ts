/**
 * Bad requests against a running daemon, sent over raw sockets where a
 * client library would tidy them up: garbage and oversized query strings,
 * unknown ranges and limits, wrong methods, path traversal on the static
 * files. Always a 4xx JSON answer or a 404, never a 5xx or a stack trace, with
 * the security headers; repeated wrong keys are rate-limited; and the daemon
 * keeps sampling through it all.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually, startDaemonProcess, type DaemonProcess } from '../helpers/daemon.js';
import { fakeBin, scratch, targets } from './support.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The bytes as received, for "nothing leaked" checks. */
  raw: string;
}

/**
 * Sends `head` (request line + headers, CRLF-separated, no final blank line) as is, and reads the answer.
 * `firstBytes` sends only the start of the request and waits for the answer: a server that refuses an
 * oversized request before reading all of it would otherwise reset the connection (unread data), and the
 * answer would be lost on the way.
 */
function raw(port: number, head: string, body = '', firstBytes?: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${head.split('\r\n')[0]!.slice(0, 80)}`)));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m === null || end < 0) {
        reject(new Error(`not an HTTP answer to ${head.split('\r\n')[0]!.slice(0, 80)}: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let bodyText = text.slice(end + 4);
      if (headers['transfer-encoding'] === 'chunked') bodyText = dechunk(bodyText);
      resolve({ status: Number(m[1]), headers, body: bodyText, raw: text });
    });
    const request = `${head}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n${body}`;
    socket.write(firstBytes === undefined ? request : request.slice(0, firstBytes));
  });
}

function dechunk(s: string): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const nl = s.indexOf('\r\n', pos);
    if (nl < 0) return out;
    const size = parseInt(s.slice(pos, nl), 16);
    if (!(size > 0)) return out;
    out += s.slice(nl + 2, nl + 2 + size);
    pos = nl + 2 + size + 2;
  }
}

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options'];

/** A 4xx (never 5xx), JSON `{"error":{"message","code"}}` (or a bare 404), the security headers, no stack trace, no file contents. */
function assertCleanRefusal(r: RawResponse, what: string, allowed: number[] = []): void {
  assert.ok((r.status >= 400 && r.status < 500) || allowed.includes(r.status), `${what}: status ${r.status}`);
  assert.doesNotMatch(r.raw, /\n\s+at |Error: |node:internal|\/work\/|dist\/src/, `${what}: no stack trace or path`);
  assert.doesNotMatch(r.raw, /"dependencies"|"devDependencies"|root:x:0:0|compilerOptions/, `${what}: no file contents`);
  if (r.status === 431 || r.status === 414) return; // answered by Node's HTTP parser before the app sees it
  for (const h of SECURITY_HEADERS) assert.ok(r.headers[h] !== undefined, `${what}: header ${h}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, `${what}: JSON`);
  const body = JSON.parse(r.body) as { error: { message: string; code: string } };
  assert.equal(typeof body.error.message, 'string', what);
  assert.equal(typeof body.error.code, 'string', what);
}

describe('bad requests against a running daemon', { concurrency: false }, () => {
  let d: DaemonProcess;
  let keyed: DaemonProcess;
  const KEY = 'correct-horse-battery-staple';

  const cleanups: Array<() => unknown> = [];
  const suite = { after: (fn: () => unknown) => void cleanups.push(fn) };

  before(async () => {
    const bin = fakeBin(suite);
    const config = { interval_minutes: 0.02, data_directory: 'data', node_id: 'req', node_name: 'Requests', targets: targets(5) };
    d = await startDaemonProcess({ config, dir: scratch(suite), pathPrepend: [bin.dir] });
    keyed = await startDaemonProcess({ config: { ...config, node_id: 'keyed', api_key: KEY }, dir: scratch(suite), pathPrepend: [bin.dir] });
    await eventually(async () => (await d.get('/api/node/status')).body?.status !== undefined, 20_000, 'first sample');
  });
  after(async () => {
    await d?.stop();
    await keyed?.stop();
    for (const c of cleanups) await c();
  });

  it('garbage and hostile query strings: a 400 JSON, or the documented fallback; never a 5xx', async () => {
    const long = 'x'.repeat(65);
    const refused: string[] = [
      `/api/node/history?range=${long}`,
      `/api/node/history?limit=${'9'.repeat(65)}`,
      '/api/node/history?since=yesterday',
      '/api/node/history?since=2026-13-45T99:99:99Z',
      `/api/node/history?since=${'2'.repeat(10_000)}`,
      '/api/incidents?range=1y',
      '/api/incidents?range=%00',
      '/api/badge/ok-svc-0/uptime.svg?range=forever',
      '/api/badge/no-such-unit/status.svg',
      '/api/badge/..%2f..%2fetc%2fpasswd/status.svg',
      `/api/badge/ok-svc-0/status.svg?label=${'x'.repeat(65)}`,
      '/api/badge/ok-svc-0/shields.json?kind=everything',
    ];
    for (const path of refused) {
      const r = await raw(d.port, `GET ${path} HTTP/1.1`);
      assertCleanRefusal(r, path);
      assert.equal(r.status === 400 || r.status === 404, true, `${path}: ${r.status}`);
    }
    // The original's routes fall back instead of refusing (its peers and dashboards rely on it); still never a 5xx.
    const tolerated = [
      '/api/node/history?range=1y', '/api/node/history?range=&limit=', '/api/node/history?limit=-1', '/api/node/history?limit=abc',
      '/api/node/history?limit=1e309', '/api/node/history?limit=0x10', '/api/node/history?range[]=30d&range[]=24h',
      '/api/node/history?range=%E0%A4%A', '/api/node/history?%%%=%%%', '/api/node/history?&&&==&', '/api/node/uptime?range=%ZZ',
      '/api/cluster?range=30d&range=24h&range=7d', `/api/status?${'a=1&'.repeat(2_000)}`, '/api/history?limit=1',
      `/api/node/uptime?${encodeURIComponent('<script>alert(1)</script>')}=1`,
    ];
    for (const path of tolerated) {
      const r = await raw(d.port, `GET ${path} HTTP/1.1`);
      assert.equal(r.status, 200, path);
      assert.doesNotMatch(r.body, /<script>/, `${path}: nothing echoed`);
      assert.ok(JSON.parse(r.body) !== undefined);
    }
    // A control character in a badge label is dropped, not written into the SVG (it would not be XML).
    const badge = await raw(d.port, `GET /api/badge/ok-svc-0/status.svg?label=a%00b%1bc%3Cscript%3E HTTP/1.1`);
    assert.equal(badge.status, 200);
    assert.doesNotMatch(badge.body, /[\u0000\u001b]|<script>/);
    const capped = JSON.parse((await raw(d.port, 'GET /api/node/history?limit=99999999999999999999 HTTP/1.1')).body) as { history: unknown[] };
    assert.ok(Array.isArray(capped.history), 'a huge limit is capped, not an error');
  });

  it('a 64 KiB URL and a 64 KiB header are refused by size (414/431/400), never a 5xx; the daemon answers the next request', async () => {
    // Node's parser stops at 16 KiB of head: the first 20 KiB of the 64 KiB are enough for its answer.
    const bigUrl = await raw(d.port, `GET /api/node/history?range=${'a'.repeat(64 * 1024)} HTTP/1.1`, '', 20 * 1024);
    assert.ok([400, 414, 431].includes(bigUrl.status), `64 KiB URL: ${bigUrl.status}`);
    assertCleanRefusal(bigUrl, '64 KiB URL');
    const bigHeader = await raw(d.port, `GET /api/node/status HTTP/1.1\r\nX-Junk: ${'b'.repeat(64 * 1024)}`, '', 20 * 1024);
    assert.ok([400, 431].includes(bigHeader.status), `64 KiB header: ${bigHeader.status}`);
    assert.equal((await d.get('/api/node/status')).status, 200);
  });

  it('wrong methods: a 405 JSON with Allow; an unknown method or a broken request line: a 400, never a 5xx', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND']) {
      for (const path of ['/api/node/status', '/', '/healthz', '/no/such/path']) {
        const r = await raw(d.port, `${method} ${path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 13`, '{"evil":true}');
        assertCleanRefusal(r, `${method} ${path}`);
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(r.headers['allow'], 'GET, HEAD');
      }
    }
    for (const line of ['FOO /api/node/status HTTP/1.1', 'GET /api/node/status HTTP/9.9', 'GET  HTTP/1.1', '\u0000\u0001\u0002 / HTTP/1.1']) {
      const r = await raw(d.port, line).catch(() => undefined);
      // Node's parser answers a 400 or closes the connection: either way no 5xx and the daemon lives.
      if (r !== undefined) assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(line)}: ${r.status}`);
    }
    const trace = await raw(d.port, 'TRACE /api/node/status HTTP/1.1\r\nX-Secret: s3cret');
    assert.equal(trace.status, 405);
    assert.doesNotMatch(trace.body, /s3cret/, 'TRACE does not echo the request');
    assert.equal((await d.get('/api/node/status')).status, 200);
  });

  it('path traversal and hidden files on the static side: 404 (or 400), never a file outside the whitelist', async () => {
    const paths = [
      '/..%2f..%2fpackage.json', '/..%2F..%2F..%2Fetc%2Fpasswd', '/dist/../package.json', '/dist/..%2f..%2fpackage.json',
      '/dist/%2e%2e/%2e%2e/package.json', '/%2e%2e/%2e%2e/etc/passwd', '/../../../../etc/passwd', '//etc/passwd',
      '/dist/%00', '/index.html%00.js', '/dist/x%00.js', '/%00', '/dist/%2e%2e%5c%2e%2e%5cpackage.json', '/..\\..\\package.json',
      '/package.json', '/tsconfig.json', '/src/main.ts', '/.git/config', '/public/index.html', '/node_modules/koa/package.json',
      '/dist/', '/dist', '/demo/../../package.json', '/index.html/..%2f..%2fpackage.json', '/%ff%fe', '/%', '/dist/%E0%A4%A',
    ];
    for (const path of paths) {
      const r = await raw(d.port, `GET ${path} HTTP/1.1`);
      assertCleanRefusal(r, path);
      assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
    }
    // The page itself is still there, with its headers.
    const page = await raw(d.port, 'GET / HTTP/1.1');
    assert.equal(page.status, 200);
    for (const h of SECURITY_HEADERS) assert.ok(page.headers[h] !== undefined, `page: ${h}`);
  });

  it('security headers on answers of every kind', async () => {
    for (const path of ['/api/node/status', '/healthz', '/api/cluster', '/no-such', '/api/nope']) {
      const r = await raw(d.port, `GET ${path} HTTP/1.1`);
      for (const h of SECURITY_HEADERS) assert.ok(r.headers[h] !== undefined, `${path}: ${h}`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.match(r.headers['content-security-policy'] ?? '', /default-src 'self'/);
    }
  });

  it('repeated wrong keys are rate-limited (429 with Retry-After), while /healthz and the page stay open', async () => {
    const port = keyed.port;
    const ok = await raw(port, `GET /api/node/status HTTP/1.1\r\nAuthorization: Bearer ${KEY}`);
    assert.equal(ok.status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await raw(port, `GET /api/node/status HTTP/1.1\r\nAuthorization: Bearer guess-${i}`);
      assertCleanRefusal(r, `wrong key ${i}`);
      statuses.push(r.status);
    }
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(statuses.slice(20), Array(5).fill(429));
    const limited = await raw(port, `GET /api/node/status HTTP/1.1\r\nAuthorization: Bearer ${KEY}`);
    assert.equal(limited.status, 429, 'the right key waits out the lockout too (no oracle for guesses)');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(JSON.parse(limited.body).error.code, 'too_many_requests');
    assert.equal((await raw(port, 'GET /healthz HTTP/1.1')).status, 200);
    assert.equal((await raw(port, 'GET / HTTP/1.1')).status, 200);
    for (const h of ['Basic Zm9vOmJhcg==', 'Bearer', `Bearer ${'k'.repeat(8000)}`, 'Bearer a b c']) {
      assertCleanRefusal(await raw(port, `GET /api/cluster HTTP/1.1\r\nAuthorization: ${h}`), `Authorization: ${h.slice(0, 20)}`);
    }
  });

  it('after all that, the daemon is still sampling and logged no internal error', async () => {
    const first = (await d.get('/api/node/status')).body.status.timestamp as string;
    await eventually(async () => (await d.get('/api/node/status')).body.status.timestamp !== first, 20_000, 'a new sample');
    assert.doesNotMatch(d.logs(), /http \w+ .*: .*Error|ERROR http/, 'no 5xx was logged');
    assert.doesNotMatch(keyed.logs(), /ERROR http/);
  });
});
