/**
 * The connectivity probe: a TCP connect to the configured DNS server, timed.
 * Errors read like the original's Go dial errors
 * ("dial tcp 127.0.0.1:18099: connect: connection refused").
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DnsProbeJob, DnsProbeResult } from '../src/checks/jobs.js';
import { failedProbe } from '../src/checks/result.js';

/** The original's default when no target is configured. */
export const DEFAULT_DNS_TARGET = '1.1.1.1';
const DEFAULT_PORT = 53;

export interface ProbeDeps {
  now?: () => number;
  /** Opens the connection; `net.connect` in production. */
  connect?: (opts: { host: string; port: number }) => net.Socket;
}

export type ParsedTarget = { ok: true; host: string; port: number } | { ok: false; error: string };

/**
 * "1.1.1.1" → 1.1.1.1:53, "host:port", "[::1]" / "[::1]:53", and a bare IPv6
 * address "::1" → [::1]:53.
 */
export function parseTarget(target: string): ParsedTarget {
  const t = target.trim();
  let host: string;
  let portText: string | undefined;
  if (t.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(t);
    if (m === null) return { ok: false, error: `dial tcp: address ${t}: missing ']' in address` };
    host = m[1] ?? '';
    portText = m[2];
  } else {
    const colons = t.split(':').length - 1;
    if (colons === 1) {
      [host = '', portText] = t.split(':');
    } else {
      host = t;
    }
  }
  if (host === '') return { ok: false, error: `dial tcp: address ${t}: missing host` };
  if (portText === undefined) return { ok: true, host, port: DEFAULT_PORT };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, error: `dial tcp: address ${t}: invalid port` };
  return { ok: true, host, port };
}

/** Go's host:port form: IPv6 in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Connects to `job.target` within `job.timeout_ms`. Never rejects.
 * `checked_at` is when the probe started; `latency_ms` is the connect time
 * (ms, two decimals), or 0 with `error` on failure. The socket is destroyed
 * at the deadline, so a probe never outlives its timeout.
 */
export function probeTcp(job: DnsProbeJob, deps: ProbeDeps = {}): Promise<DnsProbeResult> {
  const now = deps.now ?? Date.now;
  const connect = deps.connect ?? ((o: { host: string; port: number }) => net.connect(o));
  const target = job.target.trim() === '' ? DEFAULT_DNS_TARGET : job.target.trim();
  const checkedAt = new Date(now()).toISOString();
  const fail = (error: string): DnsProbeResult => failedProbe(target, error, checkedAt);

  const parsed = parseTarget(target);
  if (!parsed.ok) return Promise.resolve(fail(parsed.error));
  const { host, port } = parsed;

  return new Promise<DnsProbeResult>((resolve) => {
    const started = performance.now();
    const socket = connect({ host, port });
    const finish = (result: DnsProbeResult): void => {
      clearTimeout(timer);
      socket.removeAllListeners('connect');
      socket.removeAllListeners('error');
      // A late error from a destroyed socket must not become an uncaught exception.
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish(fail(`dial tcp ${joinHostPort(host, port)}: i/o timeout`));
    }, Math.max(0, job.timeout_ms));
    socket.once('connect', () => {
      const latency = Math.round((performance.now() - started) * 100) / 100;
      finish({ target, ok: true, latency_ms: latency, checked_at: checkedAt });
    });
    socket.once('error', (err: Error) => finish(fail(dialErrorText(err, host, port))));
  });
}

/** Go's phrasing for the errors a dial can meet. */
export function dialErrorText(err: Error, host: string, port: number): string {
  const e = firstErrno(err);
  const addr = joinHostPort(e.address ?? host, e.port ?? port);
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'EADDRNOTAVAIL':
      return `dial tcp ${addr}: connect: cannot assign requested address`;
    case 'ECONNRESET':
      return `dial tcp ${addr}: connect: connection reset by peer`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${host}: no such host`;
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: temporary failure in name resolution`;
    default:
      return `dial tcp ${addr}: ${e.message}`;
  }
}

interface ErrnoLike {
  code?: string;
  address?: string;
  port?: number;
  message: string;
}

/** Happy-eyeballs connects fail with an AggregateError; its first attempt's error is the telling one. */
function firstErrno(err: Error): ErrnoLike {
  const inner: unknown = err instanceof AggregateError ? err.errors[0] : err;
  return inner instanceof Error ? (inner as ErrnoLike & Error) : err;
}
