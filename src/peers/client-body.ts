/**
 * One GET of a peer, its body collected within the caps: bytes on the wire
 * (`maxBytes`, the announced length refused at once), bytes once
 * decompressed (`maxDecoded`), and, for a JSON answer, its shape as it
 * streams in (json-shape.ts). Decompression is done here, not by got, so
 * that both sizes can be capped. Never throws; a failure says whether it is
 * worth the one retry.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import got from 'got';
import { describeError, describeStatus } from './client-errors.js';
import { isCompactPage } from './compact-page.js';
import { createShapeScanner, type ShapeLimits, type ShapeScanner } from './json-shape.js';

export type Attempt =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; error: string; retry: boolean };

export interface AttemptOptions {
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
  /** Scan a JSON body's shape as it arrives (a compact page is binary: not scanned). */
  shape: ShapeLimits | undefined;
  connectMs: number;
  requestMs: number;
  maxBytes: number;
  maxDecoded: number;
  agent: { http: HttpAgent; https: HttpsAgent };
  /** The errors past each cap, as the user reads them. */
  tooLarge: string;
  tooLargeDecoded: string;
}

/** Content codings we read (and ask for); `undefined` = none to undo. */
const DECODERS: Readonly<Record<string, () => Transform | undefined>> = {
  identity: () => undefined,
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

type ResponseHead = { statusCode: number; headers: Record<string, string | string[] | undefined> };

/** The body's bytes once decompressed, within the decoded cap and the shape bounds. */
class Collector {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  constructor(
    private readonly maxDecoded: number,
    private readonly tooLargeDecoded: string,
    private scanner: ShapeScanner | undefined,
  ) {}

  /** The body is not JSON: nothing to scan. */
  skipShape(): void {
    this.scanner = undefined;
  }

  /** Takes a chunk; returns the problem that ends the transfer, if any. */
  take(chunk: Buffer): string | undefined {
    this.bytes += chunk.length;
    if (this.bytes > this.maxDecoded) return this.tooLargeDecoded;
    const problem = this.scanner?.push(chunk);
    if (problem !== undefined) return problem;
    this.chunks.push(chunk);
    return undefined;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks, this.bytes);
  }
}

/** GETs `url` once; see the module comment. */
export function attemptGet(url: URL, o: AttemptOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const collector = new Collector(o.maxDecoded, o.tooLargeDecoded, o.shape === undefined ? undefined : createShapeScanner(o.shape));
    let wireBytes = 0;
    let contentType = '';
    let decoder: Transform | undefined;
    const stream = got.stream(url, {
      headers: o.headers,
      timeout: { connect: o.connectMs, request: o.requestMs },
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      decompress: false,
      strictContentLength: true,
      agent: o.agent,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
    });
    const finish = (r: Attempt) => {
      if (settled) return;
      settled = true;
      // Also after a complete body: got releases its abort listener and timers only on destroy.
      stream.destroy();
      decoder?.destroy();
      resolve(r);
    };
    const refuse = (error: string) => finish({ ok: false, error, retry: false });
    const take = (chunk: Buffer) => {
      if (settled) return;
      const problem = collector.take(chunk);
      if (problem !== undefined) refuse(problem);
    };
    const done = () => finish({ ok: true, body: collector.body(), contentType });
    stream.on('response', (res: ResponseHead) => {
      const head = checkHead(res, o);
      if (!head.ok) return refuse(head.error);
      contentType = head.contentType;
      if (isCompactPage(contentType)) collector.skipShape();
      decoder = head.decoder;
      if (decoder !== undefined) {
        decoder.on('data', take);
        decoder.on('end', done);
        decoder.on('error', () => refuse(`invalid ${head.encoding} body`));
      }
    });
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      wireBytes += chunk.length;
      if (wireBytes > o.maxBytes) return refuse(o.tooLarge);
      if (decoder !== undefined) decoder.write(chunk);
      else take(chunk);
    });
    stream.on('end', () => (decoder !== undefined ? decoder.end() : done()));
    stream.on('error', (err: unknown) => finish({ ok: false, ...describeError(err, url, o) }));
    // A stream destroyed without an error (should not happen) must still settle.
    stream.on('close', () => {
      if (decoder === undefined || !decoder.writableEnded) refuse('connection closed before the whole response arrived');
    });
  });
}

/** The response's status and headers: refused (status, announced size, coding), or its type and decompressor. */
function checkHead(res: ResponseHead, o: AttemptOptions):
  | { ok: true; contentType: string; encoding: string; decoder: Transform | undefined }
  | { ok: false; error: string } {
  const status = res.statusCode;
  if (status < 200 || status > 299) {
    const loc = res.headers['location'];
    return { ok: false, error: describeStatus(status, typeof loc === 'string' ? loc : undefined) };
  }
  // An announced size past the cap is refused before any of it is read.
  const announced = Number(res.headers['content-length']);
  if (Number.isFinite(announced) && announced > o.maxBytes) return { ok: false, error: o.tooLarge };
  const encoding = String(res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const made = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined;
  if (made === undefined) return { ok: false, error: `unsupported content-encoding ${JSON.stringify(encoding)}` };
  return { ok: true, contentType: String(res.headers['content-type'] ?? ''), encoding, decoder: made() };
}
