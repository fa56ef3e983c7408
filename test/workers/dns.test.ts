import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { dialErrorText, parseTarget, probeTcp } from '../../workers/dns.js';

const NOW = Date.parse('2026-11-28T10:35:47.002Z');
const now = (): number => NOW;

async function listen(host: string): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return server;
}
const portOf = (s: net.Server): number => (s.address() as AddressInfo).port;
const closeServer = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));

test('targets: default port 53, host:port, bracketed and bare IPv6', () => {
  assert.deepEqual(parseTarget('1.1.1.1'), { ok: true, host: '1.1.1.1', port: 53 });
  assert.deepEqual(parseTarget(' dns.example:5353 '), { ok: true, host: 'dns.example', port: 5353 });
  assert.deepEqual(parseTarget('[::1]:53'), { ok: true, host: '::1', port: 53 });
  assert.deepEqual(parseTarget('[::1]'), { ok: true, host: '::1', port: 53 });
  assert.deepEqual(parseTarget('::1'), { ok: true, host: '::1', port: 53 });
  assert.deepEqual(parseTarget('2606:4700:4700::1111'), { ok: true, host: '2606:4700:4700::1111', port: 53 });
  assert.equal(parseTarget('127.0.0.1:99999').ok, false);
  assert.equal(parseTarget('127.0.0.1:').ok, false);
  assert.equal(parseTarget('[::1').ok, false);
});

test('connects to a listening server: ok with a latency and no error', async () => {
  const server = await listen('127.0.0.1');
  try {
    const target = `127.0.0.1:${portOf(server)}`;
    const r = await probeTcp({ target, timeout_ms: 5000 }, { now });
    assert.equal(r.ok, true);
    assert.equal(r.target, target);
    assert.equal(r.checked_at, '2026-11-28T10:35:47.002Z');
    assert.ok(typeof r.latency_ms === 'number' && r.latency_ms >= 0);
    assert.ok(!('error' in r));
  } finally {
    await closeServer(server);
  }
});

test('a closed port reads like the original: connection refused, latency 0', async () => {
  const server = await listen('127.0.0.1');
  const port = portOf(server);
  await closeServer(server);
  const r = await probeTcp({ target: `127.0.0.1:${port}`, timeout_ms: 5000 }, { now });
  assert.deepEqual(r, {
    target: `127.0.0.1:${port}`,
    ok: false,
    latency_ms: 0,
    error: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    checked_at: '2026-11-28T10:35:47.002Z',
  });
});

test('IPv6 loopback in brackets', async (t) => {
  let server: net.Server;
  try {
    server = await listen('::1');
  } catch (err) {
    t.skip(`no IPv6 loopback here: ${(err as Error).message}`);
    return;
  }
  const port = portOf(server);
  try {
    const r = await probeTcp({ target: `[::1]:${port}`, timeout_ms: 5000 }, { now });
    assert.equal(r.ok, true);
  } finally {
    await closeServer(server);
  }
  const refused = await probeTcp({ target: `[::1]:${port}`, timeout_ms: 5000 }, { now });
  assert.equal(refused.error, `dial tcp [::1]:${port}: connect: connection refused`);
});

test('a connect that never completes ends at the timeout with Go\'s i/o timeout, socket destroyed', { timeout: 10_000 }, async () => {
  // No traffic: a socket that is never told to connect stands in for an unanswered SYN.
  const socket = new net.Socket();
  const r = await probeTcp({ target: '127.0.0.1:9', timeout_ms: 50 }, { now, connect: () => socket });
  assert.deepEqual([r.ok, r.latency_ms, r.error], [false, 0, 'dial tcp 127.0.0.1:9: i/o timeout']);
  assert.equal(socket.destroyed, true);
});

test('an unparsable target fails without any connection', async () => {
  const r = await probeTcp({ target: '127.0.0.1:http', timeout_ms: 50 }, { now, connect: () => assert.fail('must not connect') });
  assert.deepEqual([r.ok, r.error], [false, 'dial tcp: address 127.0.0.1:http: invalid port']);
});

test('an empty target probes the original\'s default, 1.1.1.1:53', async () => {
  let asked: unknown;
  const r = await probeTcp({ target: ' ', timeout_ms: 10 }, { now, connect: (o) => ((asked = o), new net.Socket()) });
  assert.deepEqual(asked, { host: '1.1.1.1', port: 53 });
  assert.equal(r.target, '1.1.1.1');
});

test('dial errors in Go\'s words', () => {
  const err = (code: string, extra: object = {}): Error => Object.assign(new Error(code), { code, ...extra });
  assert.equal(dialErrorText(err('ENOTFOUND'), 'nosuch.invalid', 53), 'dial tcp: lookup nosuch.invalid: no such host');
  assert.equal(dialErrorText(err('ENETUNREACH', { address: '::2', port: 53 }), 'x', 53), 'dial tcp [::2]:53: connect: network is unreachable');
  assert.equal(dialErrorText(err('EHOSTUNREACH'), '10.1.1.1', 53), 'dial tcp 10.1.1.1:53: connect: no route to host');
  const aggregate = new AggregateError([err('ECONNREFUSED', { address: '127.0.0.1', port: 53 })], 'all failed');
  assert.equal(dialErrorText(aggregate, 'localhost', 53), 'dial tcp 127.0.0.1:53: connect: connection refused');
});
