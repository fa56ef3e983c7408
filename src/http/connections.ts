/**
 * Limits on what one connection may hold: a client that sends a request and
 * then reads slowly, or never, is cut off instead of pinning its answer, and
 * a request Node cannot even parse still gets a JSON error.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ConnectionLimits {
  /** From the start of an answer, the time the client has to read all of it; then the connection is closed. Default 120 s. */
  answerTimeoutMs?: number;
  /** A connection that moves no bytes for this long, between requests or while its answer is written, is closed (e.g. a reader that stopped); the time the daemon spends building an answer does not count. Default 30 s. */
  idleTimeoutMs?: number;
}

export const DEFAULT_ANSWER_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/**
 * Applies the limits to `server` and answers unparsable requests with JSON (see clientErrorAnswer).
 *
 * The idle limit counts only while the client owes us something: between
 * requests (Node's own socket timeout) and while an answer is being written
 * (bytes stopped moving). While the daemon is still building an answer the
 * socket is quiet through no fault of the client, so Node's socket timeout is
 * off for that time: a large cluster answer built under load must not end in
 * "socket hang up". The answer limit bounds the whole request either way.
 */
export function guardConnections(server: Server, limits: ConnectionLimits = {}): void {
  const answerMs = limits.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  const idleMs = limits.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  // No 'timeout' listener on the server: Node then destroys the idle socket itself.
  server.setTimeout(idleMs);
  // One sweep for all answers in flight (a timer per request costs more than the request's own work).
  const inFlight = new Map<ServerResponse, InFlight>();
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [res, f] of inFlight) {
      if (f.due <= now || stalled(res, f, now, idleMs)) {
        inFlight.delete(res);
        res.socket?.destroy();
      }
    }
  }, Math.max(50, Math.min(1_000, answerMs / 4, idleMs / 4)));
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const now = performance.now();
    inFlight.set(res, { due: now + answerMs, written: -1, movedAt: now });
    // Node restores its keep-alive timeout once the answer is finished.
    req.socket.setTimeout(0);
    // 'close' comes after every response: finished, or its connection gone.
    res.once('close', () => inFlight.delete(res));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const reply = clientErrorAnswer(err);
    const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (reply === undefined || !socket.writable || current?.headersSent === true) {
      socket.destroy();
      return;
    }
    socket.end(reply);
  });
}

/** An answer in flight: its deadline, and when its socket last took bytes. */
interface InFlight {
  due: number;
  written: number;
  movedAt: number;
}

/** True when `res` has started its answer and its socket took no bytes for `idleMs`. */
function stalled(res: ServerResponse, f: InFlight, now: number, idleMs: number): boolean {
  if (!res.headersSent) {
    f.movedAt = now;
    return false;
  }
  const written = res.socket?.bytesWritten ?? 0;
  if (written !== f.written) {
    f.written = written;
    f.movedAt = now;
    return false;
  }
  return now - f.movedAt >= idleMs;
}

const REASON: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * The raw HTTP/1.1 answer to a request Node's parser refused (bad bytes in the
 * request line, headers too large, too slow to arrive): the same JSON error
 * shape as every other error. Undefined when the peer is gone anyway.
 */
export function clientErrorAnswer(err: NodeJS.ErrnoException): string | undefined {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return undefined;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'request headers too large (at most 16 KiB)']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request_timeout', 'request not received in time']
        : [400, 'bad_request', `malformed HTTP request (${err.code ?? 'parse error'}): the request line and headers must be ASCII HTTP/1.1`];
  const body = JSON.stringify({ error: { message, code } });
  return [
    `HTTP/1.1 ${status} ${REASON[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    'Cache-Control: no-store',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
