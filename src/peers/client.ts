/**
 * The HTTP client for peer requests: got v14 with explicit timeouts, one retry
 * on network errors, no redirects, and a cap on the response size enforced
 * while the body streams in. Every failure becomes a short, clear message
 * ("connection refused", "timeout after 10 s", "401 unauthorized: check
 * api_key", ...); nothing here throws.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import got, { RequestError, TimeoutError } from 'got';
import { createShapeScanner, type ShapeLimits } from './json-shape.js';
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

type Attempt =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; error: string; retry: boolean };

/** Content codings we read (and ask for); `undefined` = none to undo. */
const DECODERS: Readonly<Record<string, () => Transform | undefined>> = {
  identity: () => undefined,
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

/** Read through a function: TypeScript would otherwise keep a narrowing across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return Number.isInteger(m) ? `${m} MiB` : `${bytes} bytes`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** A non-2xx status as users need to read it. */
export function describeStatus(status: number, location: string | undefined): string {
  if (status === 401) return '401 unauthorized: check api_key';
  if (status === 403) return '403 forbidden: check api_key';
  if (status === 429) return '429 too many requests: the peer is refusing this node for now (too many wrong keys from this address?)';
  // The Location is the peer's text: cut, and quoted by JSON when it holds anything but printable ASCII.
  if (status >= 300 && status < 400) {
    if (location === undefined || location === '') return `http ${status}`;
    const shown = boundText(location, 200);
    return `redirect to ${/^[\x21-\x7e]*$/.test(location) ? shown : JSON.stringify(shown)} not followed`;
  }
  return `http ${status}`;
}

export function createPeerClient(opts: PeerClientOptions): PeerClient {
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxDecoded = Math.max(maxBytes, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  const connectMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const requestMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const userAgent = `jobmonitor-ts/${opts.version}`;
  // Our own agents: keep-alive between the two requests of a refresh, and closable on stop.
  const agent = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 8, timeout: requestMs }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 8, timeout: requestMs }),
  };
  const tooLarge = `response too large (> ${mib(maxBytes)}; see peer_max_response_bytes)`;
  const tooLargeDecoded = `response too large (> ${mib(maxDecoded)} once decompressed)`;

  const describeError = (err: unknown, url: URL): { error: string; retry: boolean } => {
    if (err instanceof TimeoutError) {
      if (err.event === 'connect') return { error: `connect timeout after ${seconds(connectMs)}`, retry: false };
      return { error: `timeout after ${seconds(requestMs)}`, retry: false };
    }
    const code = err instanceof RequestError ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
    const name = (err as Error | undefined)?.name;
    if (name === 'AbortError' || code === 'ERR_ABORTED') return { error: 'request cancelled', retry: false };
    const message = err instanceof Error ? err.message : String(err);
    switch (code) {
      case 'ECONNREFUSED': return { error: 'connection refused', retry: true };
      case 'ECONNRESET': return { error: 'connection reset before the response was complete', retry: true };
      case 'EPIPE': return { error: 'connection closed while sending the request', retry: true };
      case 'ENOTFOUND': return { error: `host not found: ${url.hostname}`, retry: false };
      case 'EAI_AGAIN': return { error: `host lookup failed (temporary): ${url.hostname}`, retry: true };
      case 'EHOSTUNREACH': return { error: 'host unreachable', retry: false };
      case 'ENETUNREACH': return { error: 'network unreachable', retry: false };
      case 'ERR_HTTP_CONTENT_LENGTH_MISMATCH':
      case 'ERR_STREAM_PREMATURE_CLOSE':
        return { error: `connection closed before the whole response arrived (${message})`, retry: false };
      case 'HPE_INVALID_CONSTANT':
      case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      case 'HPE_INVALID_CONTENT_LENGTH':
      case 'HPE_INVALID_HEADER_TOKEN':
        return { error: `invalid HTTP response (${message})`, retry: false };
      default:
        if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return { error: `TLS: ${boundText(message, 200)}`, retry: false };
        return { error: boundText(message, 200), retry: false };
    }
  };

  const attempt = (url: URL, headers: Record<string, string>, signal: AbortSignal | undefined, shape: ShapeLimits | undefined): Promise<Attempt> =>
    new Promise((resolve) => {
      let settled = false;
      const scanner = shape === undefined ? undefined : createShapeScanner(shape);
      const chunks: Buffer[] = [];
      let wireBytes = 0;
      let bytes = 0;
      let contentType = '';
      let decoder: Transform | undefined;
      // Decompression is done here, not by got, so that both the transferred and the decoded bytes can be capped.
      const stream = got.stream(url, {
        headers,
        timeout: { connect: connectMs, request: requestMs },
        retry: { limit: 0 },
        followRedirect: false,
        throwHttpErrors: false,
        decompress: false,
        strictContentLength: true,
        agent,
        ...(signal !== undefined ? { signal } : {}),
      });
      const finish = (r: Attempt) => {
        if (settled) return;
        settled = true;
        // Also after a complete body: got releases its abort listener and timers only on destroy.
        stream.destroy();
        decoder?.destroy();
        resolve(r);
      };
      const take = (chunk: Buffer) => {
        if (settled) return;
        bytes += chunk.length;
        if (bytes > maxDecoded) return finish({ ok: false, error: tooLargeDecoded, retry: false });
        const problem = scanner?.push(chunk);
        if (problem !== undefined) return finish({ ok: false, error: problem, retry: false });
        chunks.push(chunk);
      };
      const done = () => finish({ ok: true, body: Buffer.concat(chunks, bytes), contentType });
      stream.on('response', (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
        const status = res.statusCode;
        if (status < 200 || status > 299) {
          const loc = res.headers['location'];
          return finish({ ok: false, error: describeStatus(status, typeof loc === 'string' ? loc : undefined), retry: false });
        }
        contentType = String(res.headers['content-type'] ?? '');
        // An announced size past the cap is refused before any of it is read.
        const announced = Number(res.headers['content-length']);
        if (Number.isFinite(announced) && announced > maxBytes) return finish({ ok: false, error: tooLarge, retry: false });
        const encoding = String(res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
        const made = DECODERS[encoding];
        if (made === undefined) return finish({ ok: false, error: `unsupported content-encoding ${JSON.stringify(encoding)}`, retry: false });
        decoder = made();
        if (decoder !== undefined) {
          decoder.on('data', take);
          decoder.on('end', done);
          decoder.on('error', () => finish({ ok: false, error: `invalid ${encoding} body`, retry: false }));
        }
      });
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        wireBytes += chunk.length;
        if (wireBytes > maxBytes) return finish({ ok: false, error: tooLarge, retry: false });
        if (decoder !== undefined) decoder.write(chunk);
        else take(chunk);
      });
      stream.on('end', () => {
        if (decoder !== undefined) decoder.end();
        else done();
      });
      stream.on('error', (err: unknown) => finish({ ok: false, ...describeError(err, url) }));
      // A stream destroyed without an error (should not happen) must still settle.
      stream.on('close', () => {
        if (decoder === undefined || !decoder.writableEnded) finish({ ok: false, error: 'connection closed before the whole response arrived', retry: false });
      });
    });

  const getBytes = async (peer: PeerEndpoint, path: string, signal?: AbortSignal, shape?: ShapeLimits): Promise<GetBytesResult> => {
    let url: URL;
    try {
      url = new URL(peer.base_url + path);
    } catch {
      return { ok: false, error: `invalid base_url ${JSON.stringify(peer.base_url)}` };
    }
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip, deflate, br', 'user-agent': userAgent };
    if (peer.api_key !== undefined) headers['authorization'] = `Bearer ${peer.api_key}`;

    let r = await attempt(url, headers, signal, shape);
    // Only network errors are retried (the flag is set in describeError), once: a GET is idempotent.
    if (!r.ok && r.retry && !isAborted(signal)) {
      await sleep(retryDelayMs, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
      if (!isAborted(signal)) r = await attempt(url, headers, signal, shape);
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
