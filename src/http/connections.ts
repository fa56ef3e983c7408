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
  /** A connection that moves no bytes either way for this long is closed (e.g. a reader that stopped). Default 30 s. */
  idleTimeoutMs?: number;
}

export const DEFAULT_ANSWER_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Applies the limits to `server` and answers unparsable requests with JSON (see clientErrorAnswer). */
export function guardConnections(server: Server, limits: ConnectionLimits = {}): void {
  const answerMs = limits.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  // No 'timeout' listener on the server: Node then destroys the idle socket itself.
  server.setTimeout(limits.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  // One sweep for all answers in flight (a timer per request costs more than the request's own work).
  const deadlines = new Map<ServerResponse, number>();
  const sweep = setInterval(() => {
    const now = performance.now();
    // Deadlines are start + the same limit, so the map is in deadline order: stop at the first one not due.
    for (const [res, due] of deadlines) {
      if (due > now) break;
      deadlines.delete(res);
      res.socket?.destroy();
    }
  }, Math.max(50, Math.min(1_000, answerMs / 4)));
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    deadlines.set(res, performance.now() + answerMs);
    // 'close' comes after every response: finished, or its connection gone.
    res.once('close', () => deadlines.delete(res));
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
