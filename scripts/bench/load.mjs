#!/usr/bin/env node
/**
 * A small HTTP/1.1 load generator for the benchmarks: keep-alive raw sockets
 * (no HTTP client library in the way), closed loop per connection, or paced
 * at a fixed total rate. 127.0.0.1 only. Bounded by a duration.
 *
 *   node scripts/bench/load.mjs --url http://127.0.0.1:8080/api/node/status \
 *     [--connections 50] [--duration 10] [--rate 200] [--header "Accept-Encoding: gzip"]
 *
 * Prints one JSON line: requests, errors, rps, latency percentiles (ms),
 * status counts and response bytes (headers excluded).
 * Importable: `await load({ url, connections, durationMs, rate, headers })`.
 */
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** One keep-alive connection: `request()` resolves with { status, bytes } for the next response. */
function openConnection(host, port) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let waiter;
    let state;
    const reset = () => {
      state = { headersDone: false, status: 0, length: -1, chunked: false, bodyBytes: 0 };
    };
    reset();
    const fail = (err) => {
      const w = waiter;
      waiter = undefined;
      if (w) w.reject(err);
    };
    // Parses as much of `buf` as possible; settles the waiter when a response is complete.
    const parse = () => {
      for (;;) {
        if (!state.headersDone) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.toString('latin1', 0, end);
          buf = buf.subarray(end + 4);
          const lines = head.split('\r\n');
          state.status = Number(lines[0].split(' ')[1]);
          for (const l of lines.slice(1)) {
            const i = l.indexOf(':');
            const k = l.slice(0, i).trim().toLowerCase();
            const v = l.slice(i + 1).trim();
            if (k === 'content-length') state.length = Number(v);
            else if (k === 'transfer-encoding' && /chunked/i.test(v)) state.chunked = true;
          }
          state.headersDone = true;
          if (!state.chunked && state.length < 0) state.length = 0;
        }
        if (!state.chunked) {
          if (buf.length < state.length) return;
          buf = buf.subarray(state.length);
          state.bodyBytes = state.length;
        } else {
          // Chunks: size line, data, CRLF; a zero size ends the body (no trailers expected).
          let done = false;
          for (;;) {
            const nl = buf.indexOf('\r\n');
            if (nl < 0) return;
            const size = parseInt(buf.toString('latin1', 0, nl), 16);
            if (buf.length < nl + 2 + size + 2) return;
            buf = buf.subarray(nl + 2 + size + 2);
            state.bodyBytes += size;
            if (size === 0) {
              done = true;
              break;
            }
          }
          if (!done) return;
        }
        const w = waiter;
        const r = { status: state.status, bytes: state.bodyBytes };
        waiter = undefined;
        reset();
        if (w) w.resolve(r);
      }
    };
    sock.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      parse();
    });
    sock.on('error', (e) => {
      fail(e);
      reject(e);
    });
    sock.on('close', () => fail(new Error('connection closed')));
    sock.on('connect', () =>
      resolve({
        request(raw) {
          return new Promise((res, rej) => {
            waiter = { resolve: res, reject: rej };
            sock.write(raw);
          });
        },
        close() {
          sock.destroy();
        },
      }),
    );
  });
}

export async function load({ url, connections = 1, durationMs = 10_000, rate = 0, headers = {} }) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error('load: 127.0.0.1 only');
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname;
  const port = Number(u.port || 80);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const raw = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: jm-bench\r\n${extra}\r\n`;
  const conns = await Promise.all(Array.from({ length: connections }, () => openConnection(host, port)));
  const lat = [];
  const statuses = {};
  let errors = 0;
  let bytes = 0;
  const start = performance.now();
  const end = start + durationMs;
  // Paced: request k of the whole run is due at start + k / rate, whichever connection is free.
  let next = 0;
  const interval = rate > 0 ? 1000 / rate : 0;
  const worker = async (c) => {
    for (;;) {
      let due = performance.now();
      if (interval > 0) {
        due = start + next * interval;
        next++;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      if (due >= end || performance.now() >= end) return;
      const t0 = performance.now();
      try {
        const r = await c.request(raw);
        // Latency counted from when the request was due, so a stalled server is not hidden (coordinated omission).
        lat.push(performance.now() - (interval > 0 ? Math.min(due, t0) : t0));
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        bytes += r.bytes;
      } catch {
        errors++;
        return;
      }
    }
  };
  await Promise.all(conns.map(worker));
  const elapsed = performance.now() - start;
  for (const c of conns) c.close();
  lat.sort((a, b) => a - b);
  const sum = lat.reduce((a, b) => a + b, 0);
  return {
    url,
    connections,
    durationMs: elapsed,
    requests: lat.length,
    errors,
    rps: (lat.length / elapsed) * 1000,
    statuses,
    bytesPerResponse: lat.length ? bytes / lat.length : 0,
    latencyMs: { mean: sum / (lat.length || 1), p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: lat[lat.length - 1] ?? NaN },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const headers = {};
  argv.forEach((a, i) => {
    if (a === '--header') {
      const h = argv[i + 1];
      const c = h.indexOf(':');
      headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
    }
  });
  load({
    url: opt('url'),
    connections: Number(opt('connections', 1)),
    durationMs: Number(opt('duration', 10)) * 1000,
    rate: Number(opt('rate', 0)),
    headers,
  })
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
