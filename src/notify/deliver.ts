/**
 * Sends one notification request: got v14, a timeout per attempt, no
 * redirects, a bounded response read, and up to `retries` more attempts with
 * exponential backoff (1 s, 2 s, 4 s by default) when the failure may pass:
 * a network error, a timeout, 408, 425, 429 or a 5xx. Never throws.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import got, { RequestError, TimeoutError } from 'got';
import type { OutgoingRequest } from './request.js';

export interface DeliveryOptions {
  /** Attempts after the first (default 3). */
  retries?: number;
  /** Pause before the first retry, doubled before each next one (default 1000 ms). */
  backoffMs?: number;
  /** Longest pause, Retry-After included (default 60 s). */
  maxBackoffMs?: number;
  /** Response bytes read at most, for the error message (default 64 KiB). */
  maxResponseBytes?: number;
}

export type DeliveryResult =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; error: string; cancelled: boolean };

type Attempt =
  | { ok: true; status: number }
  | { ok: false; error: string; retry: boolean; retryAfterMs?: number };

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function describeError(err: unknown, timeoutMs: number): { error: string; retry: boolean } {
  if (err instanceof TimeoutError) return { error: `timeout after ${seconds(timeoutMs)}`, retry: true };
  const code = err instanceof RequestError ? err.code : (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED': return { error: 'connection refused', retry: true };
    case 'ECONNRESET': return { error: 'connection reset', retry: true };
    case 'EPIPE': return { error: 'connection closed while sending', retry: true };
    case 'ETIMEDOUT': return { error: 'connection timed out', retry: true };
    case 'EAI_AGAIN': return { error: 'host lookup failed (temporary)', retry: true };
    case 'ENOTFOUND': return { error: 'host not found', retry: false };
    case 'EHOSTUNREACH': return { error: 'host unreachable', retry: true };
    case 'ENETUNREACH': return { error: 'network unreachable', retry: true };
    default:
      if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return { error: `TLS: ${message}`, retry: false };
      return { error: message, retry: true };
  }
}

/** `Retry-After: <seconds>` in ms; dates and nonsense are ignored. */
function retryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && /^\d{1,6}$/.test(v.trim()) ? Number(v.trim()) * 1000 : undefined;
}

/** The start of a response body, on one line, for the log. */
function snippet(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function attempt(req: OutgoingRequest, timeoutMs: number, maxBytes: number, signal: AbortSignal | undefined): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    let status = 0;
    let after: number | undefined;
    let bytes = 0;
    const chunks: Buffer[] = [];
    const stream = got.stream.post(req.url, {
      body: req.body,
      headers: req.headers,
      timeout: { request: timeoutMs },
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      ...(signal !== undefined ? { signal } : {}),
    });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (status >= 200 && status < 300) return resolve({ ok: true, status });
      const text = snippet(Buffer.concat(chunks));
      const error = `http ${status}${status >= 300 && status < 400 ? ' (redirects are not followed: configure the final URL)' : ''}${text !== '' ? `: ${text}` : ''}`;
      const retry = status === 408 || status === 425 || status === 429 || status >= 500;
      resolve({ ok: false, error, retry, ...(after !== undefined ? { retryAfterMs: after } : {}) });
    };
    stream.on('response', (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      status = res.statusCode;
      after = retryAfter(res.headers['retry-after']);
    });
    stream.on('data', (chunk: Buffer) => {
      if (bytes >= maxBytes) return finish(); // enough to report; the status is known
      bytes += chunk.length;
      chunks.push(chunk);
    });
    stream.on('end', finish);
    stream.on('error', (err: unknown) => {
      if (settled) return;
      // A status already received settles it; an error after it (e.g. a reset mid-body) does not change the outcome.
      if (status !== 0) return finish();
      settled = true;
      stream.destroy();
      resolve({ ok: false, ...describeError(err, timeoutMs) });
    });
    stream.on('close', () => {
      if (status !== 0) finish();
      else if (!settled) {
        settled = true;
        resolve({ ok: false, error: 'connection closed before a response', retry: true });
      }
    });
  });
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleep(ms, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
}

/** Read through a function: TypeScript would otherwise keep a narrowing across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** POSTs `req`, retrying as described above; `signal` cancels (the result says `cancelled`). */
export async function deliver(req: OutgoingRequest, timeoutMs: number, opts: DeliveryOptions = {}, signal?: AbortSignal): Promise<DeliveryResult> {
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 60_000;
  const maxBytes = opts.maxResponseBytes ?? 64 * 1024;
  let attempts = 0;
  for (;;) {
    attempts++;
    const r = await attempt(req, timeoutMs, maxBytes, signal);
    if (isAborted(signal)) return { ok: false, attempts, error: 'cancelled', cancelled: true };
    if (r.ok) return { ok: true, attempts, status: r.status };
    if (!r.retry || attempts > retries) {
      return { ok: false, attempts, error: `${r.error}${r.retry ? '' : ' (not retried)'}`, cancelled: false };
    }
    const wait = Math.min(maxBackoffMs, Math.max(backoffMs * 2 ** (attempts - 1), r.retryAfterMs ?? 0));
    await pause(wait, signal);
    if (isAborted(signal)) return { ok: false, attempts, error: 'cancelled', cancelled: true };
  }
}
