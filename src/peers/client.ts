/**
 * The HTTP client for peer requests: got v14 with explicit timeouts, one retry
 * on network errors, no redirects, and a cap on the response size enforced
 * while the body streams in. Every failure becomes a short, clear message
 * ("connection refused", "timeout after 10 s", "401 unauthorized: check
 * api_key", ...); nothing here throws.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptGet, type AttemptOptions } from './client-body.js';
import { mib } from './client-errors.js';
import type { ShapeLimits } from './json-shape.js';
import { boundText } from './limits.js';

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/**
 * Bound on a body after decompression. Nodes of ours send gzip (about 1/100
 * of the JSON for history), so the first 30-day pull of a large node fits the
 * transfer cap while its JSON is much larger; this keeps a gzip bomb, or a
 * pull too large to parse, out of memory.
 */
export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface PeerClientOptions {
  /** Our version, sent as `User-Agent: jobmonitor-ts/<version>`. */
  version: string;
  /** Largest transfer accepted: bytes on the wire, compressed or not (default 8 MiB). */
  maxResponseBytes?: number;
  /** Largest body after decompression (default 64 MiB, and never below maxResponseBytes). */
  maxDecodedBytes?: number;
  /** Time to establish the connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Time for the whole request, body included (default 10 s). */
  requestTimeoutMs?: number;
  /** Pause before the single retry after a network error (default 250 ms). */
  retryDelayMs?: number;
}

/** Where to send a request: the parts of a peer's config the client needs. */
export interface PeerEndpoint {
  /** Without a trailing slash. */
  base_url: string;
  api_key?: string;
}

export type GetJsonResult =
  | { ok: true; body: unknown; bytes: number }
  | { ok: false; error: string };

export type GetBytesResult =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; error: string };

export interface PeerClient {
  /**
   * GET `base_url + path`: the body, decompressed and within the caps, not parsed (see decode-pool.ts).
   * With `shape`, the bytes are scanned as they arrive and the transfer stops at the first
   * nesting or list past it (json-shape.ts). Never throws; `signal` aborts.
   */
  getBytes(peer: PeerEndpoint, path: string, signal?: AbortSignal, shape?: ShapeLimits): Promise<GetBytesResult>;
  /** GET `base_url + path` and parse the JSON body on this thread (small answers, tools). Never throws; `signal` aborts. */
  getJson(peer: PeerEndpoint, path: string, signal?: AbortSignal): Promise<GetJsonResult>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** Read through a function: TypeScript would otherwise keep a narrowing across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** The client; requests share keep-alive agents that close() destroys. Each request is one attempt, or two after a network error. */
export function createPeerClient(opts: PeerClientOptions): PeerClient {
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxDecoded = Math.max(maxBytes, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  const requestMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const userAgent = `jobmonitor-ts/${opts.version}`;
  // Our own agents: keep-alive between the two requests of a refresh, and closable on stop.
  const agent = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 8, timeout: requestMs }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 8, timeout: requestMs }),
  };
  const base: Omit<AttemptOptions, 'headers' | 'signal' | 'shape'> = {
    connectMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestMs,
    maxBytes,
    maxDecoded,
    agent,
    tooLarge: `response too large (> ${mib(maxBytes)}; see peer_max_response_bytes)`,
    tooLargeDecoded: `response too large (> ${mib(maxDecoded)} once decompressed)`,
  };

  const getBytes = async (peer: PeerEndpoint, path: string, signal?: AbortSignal, shape?: ShapeLimits): Promise<GetBytesResult> => {
    let url: URL;
    try {
      url = new URL(peer.base_url + path);
    } catch {
      return { ok: false, error: `invalid base_url ${JSON.stringify(peer.base_url)}` };
    }
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip, deflate, br', 'user-agent': userAgent };
    if (peer.api_key !== undefined) headers['authorization'] = `Bearer ${peer.api_key}`;
    const o: AttemptOptions = { ...base, headers, signal, shape };
    let r = await attemptGet(url, o);
    // Only network errors are retried (the flag is set in describeError), once: a GET is idempotent.
    if (!r.ok && r.retry && !isAborted(signal)) {
      await sleep(retryDelayMs, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
      if (!isAborted(signal)) r = await attemptGet(url, o);
    }
    if (!r.ok) return { ok: false, error: isAborted(signal) ? 'request cancelled' : r.error };
    if (r.body.length === 0) return { ok: false, error: 'empty response' };
    return { ok: true, body: r.body, contentType: r.contentType };
  };

  return {
    getBytes,
    async getJson(peer, path, signal) {
      const r = await getBytes(peer, path, signal);
      if (!r.ok) return r;
      try {
        return { ok: true, body: JSON.parse(r.body.toString('utf8')) as unknown, bytes: r.body.length };
      } catch (err) {
        const type = r.contentType === '' || /json/i.test(r.contentType) ? '' : `, content-type ${r.contentType.split(';')[0]}`;
        return { ok: false, error: `invalid JSON (${boundText((err as Error).message, 120)}${type})` };
      }
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}
