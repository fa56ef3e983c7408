/**
 * What a failed peer request says: a non-2xx status or a network error as a
 * short message a user can act on ("connection refused", "timeout after
 * 10 s", "401 unauthorized: check api_key", ...), and whether it is worth the
 * one retry (only errors of the network are).
 */
import { RequestError, TimeoutError } from 'got';
import { boundText } from './limits.js';

export function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return Number.isInteger(m) ? `${m} MiB` : `${bytes} bytes`;
}

export function seconds(ms: number): string {
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

/** Messages by error code, with whether the request is retried once. */
const BY_CODE: Readonly<Record<string, (url: URL, message: string) => { error: string; retry: boolean }>> = {
  ECONNREFUSED: () => ({ error: 'connection refused', retry: true }),
  ECONNRESET: () => ({ error: 'connection reset before the response was complete', retry: true }),
  EPIPE: () => ({ error: 'connection closed while sending the request', retry: true }),
  ENOTFOUND: (url) => ({ error: `host not found: ${url.hostname}`, retry: false }),
  EAI_AGAIN: (url) => ({ error: `host lookup failed (temporary): ${url.hostname}`, retry: true }),
  EHOSTUNREACH: () => ({ error: 'host unreachable', retry: false }),
  ENETUNREACH: () => ({ error: 'network unreachable', retry: false }),
  ERR_HTTP_CONTENT_LENGTH_MISMATCH: (_u, m) => ({ error: `connection closed before the whole response arrived (${m})`, retry: false }),
  ERR_STREAM_PREMATURE_CLOSE: (_u, m) => ({ error: `connection closed before the whole response arrived (${m})`, retry: false }),
  HPE_INVALID_CONSTANT: (_u, m) => ({ error: `invalid HTTP response (${m})`, retry: false }),
  HPE_UNEXPECTED_CONTENT_LENGTH: (_u, m) => ({ error: `invalid HTTP response (${m})`, retry: false }),
  HPE_INVALID_CONTENT_LENGTH: (_u, m) => ({ error: `invalid HTTP response (${m})`, retry: false }),
  HPE_INVALID_HEADER_TOKEN: (_u, m) => ({ error: `invalid HTTP response (${m})`, retry: false }),
};

/** A request's error as a message, and whether the request is retried (network errors only). */
export function describeError(err: unknown, url: URL, timeouts: { connectMs: number; requestMs: number }): { error: string; retry: boolean } {
  if (err instanceof TimeoutError) {
    if (err.event === 'connect') return { error: `connect timeout after ${seconds(timeouts.connectMs)}`, retry: false };
    return { error: `timeout after ${seconds(timeouts.requestMs)}`, retry: false };
  }
  const code = err instanceof RequestError ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
  const name = (err as Error | undefined)?.name;
  if (name === 'AbortError' || code === 'ERR_ABORTED') return { error: 'request cancelled', retry: false };
  const message = err instanceof Error ? err.message : String(err);
  const known = typeof code === 'string' && Object.hasOwn(BY_CODE, code) ? BY_CODE[code] : undefined;
  if (known !== undefined) return known(url, message);
  if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return { error: `TLS: ${boundText(message, 200)}`, retry: false };
  return { error: boundText(message, 200), retry: false };
}
