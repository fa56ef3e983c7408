/**
 * A fake peer for tests: an HTTP server on 127.0.0.1 (ephemeral port) whose
 * answers are set per test, including badly behaved ones (hang, trickle,
 * huge body, lying Content-Length, invalid JSON, redirect). It records every
 * request and counts the bytes it managed to write, so tests can show that a
 * client stopped reading.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo, Socket } from 'node:net';
import { ConnectivityLog } from '../../src/history/connectivity-log.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { createApp } from '../../src/http/app.js';
import { historyCap } from '../../src/http/query.js';
import { createLocalNode } from '../../src/node/local.js';
import { createLogQueries } from '../../src/views/log-queries.js';
import { testConfig } from './config.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface FakePeer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Bytes of response bodies written so far (only the behaviours below count them). */
  bytesWritten(): number;
  /** Connections currently open to this peer. */
  openConnections(): number;
  /** Replaces the handler for every path. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakePeer(handler: Handler = json({})): Promise<FakePeer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    current(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    bytesWritten: () => written.get(server) ?? 0,
    openConnections: () => sockets.size,
    handle(h) {
      current = h;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

// Bytes written per server, so behaviours need no reference to the FakePeer.
const written = new WeakMap<object, number>();
function count(res: ServerResponse, n: number): void {
  const server = (res.socket as (Socket & { server?: object }) | null)?.server;
  if (server !== undefined) written.set(server, (written.get(server) ?? 0) + n);
}

/** 200 (or `status`) with a JSON body. */
export function json(body: unknown, status = 200): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json' });
    count(res, Buffer.byteLength(text));
    res.end(text);
  };
}

/** Answers by path (without the query); 404 for anything else. */
export function routes(table: Record<string, Handler>): Handler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const h = table[path];
    if (h !== undefined) return h(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  };
}

/** Reads the request and never answers. */
export function hang(): Handler {
  return () => {};
}

/** Headers at once, then one byte every `everyMs`, forever. */
export function trickle(everyMs = 200): Handler {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    count(res, 1);
    const t = setInterval(() => {
      res.write(' ');
      count(res, 1);
    }, everyMs);
    req.socket.on('close', () => clearInterval(t));
  };
}

/** A body that never ends (chunked, no Content-Length), written as fast as the client reads. */
export function endless(chunkBytes = 64 * 1024): Handler {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(chunkBytes, 0x20);
    let closed = false;
    req.socket.on('close', () => (closed = true));
    const pump = () => {
      while (!closed) {
        count(res, chunk.length);
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    res.write('[');
    pump();
  };
}

/** Announces a Content-Length of `bytes` and then sends only a little, keeping the connection open (`close` false) or closing it. */
export function lyingLength(bytes: number, close: boolean): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes) });
    res.write('{"node":');
    count(res, 8);
    if (close) setTimeout(() => res.socket?.destroy(), 50);
  };
}

/** Plain text that is not JSON, with the given content type. */
export function text(body: string, contentType = 'text/html', status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    count(res, Buffer.byteLength(body));
    res.end(body);
  };
}

/** JSON, gzip-compressed (Content-Encoding: gzip). */
export function gzipJson(body: unknown): Handler {
  return gzipBody(Buffer.from(JSON.stringify(body)));
}

/** Any bytes, gzip-compressed once up front (a gzip bomb, given many zeros). */
export function gzipBody(raw: Buffer): Handler {
  const data = gzipSync(raw);
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(data.length) });
    count(res, data.length);
    res.end(data);
  };
}

/** Drops the connection without an answer for the first `times` requests, then behaves like `then`. */
export function resetFirst(times: number, then: Handler): Handler {
  let seen = 0;
  return (req, res) => {
    if (seen++ < times) return void req.socket.destroy();
    then(req, res);
  };
}

export function redirect(location: string, status = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };
}

/** Verbatim copies of captures of the original (shared/reference/go-jobmonitor/), `<dir>-<file>`. */
const CAPTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'peers');

/** A captured response of the original Go JobMonitor, e.g. capture('node-b/node-status.json') (file test/fixtures/peers/node-b-node-status.json). */
export function capture(file: string): unknown {
  return JSON.parse(readFileSync(join(CAPTURES, file.replace('/', '-')), 'utf8'));
}

/**
 * An original node as captured: /api/node/status and /api/node/history from
 * `dir` (node-a or node-b). Like the original, it ignores `since` and any
 * Authorization header. `history` overrides the history body (for shaping
 * null lists and such).
 */
export function originalNode(dir: string, history?: unknown): Handler {
  return routes({
    '/api/node/status': json(capture(`${dir}/node-status.json`)),
    '/api/node/history': json(history ?? capture(`${dir}/node-history-30d.json`)),
  });
}

export interface OurNode {
  url: string;
  /** Append samples here; the node serves them. */
  status: SampleLog;
  connectivity: ConnectivityLog;
  requests: RecordedRequest[];
  /** Bytes of every response body sent, in order. */
  responseBytes: number[];
  close(): Promise<void>;
}

/**
 * A node of ours in this process (the real app and local node over in-memory
 * logs), on 127.0.0.1: a peer that announces `since`.
 */
export async function startOurNode(opts: {
  nodeId: string;
  name?: string;
  intervalMinutes?: number;
  apiKey?: string;
  targets?: Array<{ id: string; name: string; service: string }>;
  now?: () => number;
}): Promise<OurNode> {
  const now = opts.now ?? Date.now;
  const status = new SampleLog();
  const connectivity = new ConnectivityLog();
  const config = testConfig({
    interval_minutes: opts.intervalMinutes ?? 1,
    data_directory: '/nonexistent',
    node_id: opts.nodeId,
    node_name: opts.name ?? opts.nodeId,
    peer_refresh_seconds: 60,
    monitor_dns: { enabled: false, target: '127.0.0.1', interval_seconds: 60, timeout_seconds: 4 },
    targets: (opts.targets ?? [{ id: 'web', name: 'Web', service: 'web.service' }]).map((t) => ({ ...t, timeout_seconds: 15, use_sudo: false })),
    peers: [],
    retention_days: 30,
    ...(opts.apiKey !== undefined ? { api_key: opts.apiKey } : {}),
  });
  const local = createLocalNode({ config, history: createLogQueries(status, connectivity), now, version: '0.0.0-test' });
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const app = createApp({
    local,
    peers: () => [],
    health: () => ({ lastSampleAt: undefined, intervalMs: 60_000, startedAt: now(), pendingWrites: 0, lastWriteError: undefined }),
    log: quiet,
    now,
    historyCap: historyCap(config.interval_minutes),
    apiKey: config.api_key,
    publicDir: join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public'),
  });
  const handle = app.callback();
  const requests: RecordedRequest[] = [];
  const responseBytes: number[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    let bytes = 0;
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
    const size = (chunk: unknown) => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.length : 0);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      bytes += size(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      bytes += size(chunk);
      responseBytes.push(bytes);
      return end(chunk, ...rest);
    }) as typeof res.end;
    void handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    status,
    connectivity,
    requests,
    responseBytes,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
