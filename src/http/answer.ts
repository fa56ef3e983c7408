/**
 * An answer kept as bytes: the serialised body in parts (one Buffer for most
 * answers; one per node for /api/cluster), its gzip form made once on first
 * use off the main thread, and a strong ETag naming exactly these bytes.
 */
import { createGzip, constants } from 'node:zlib';

/** Bodies smaller than this are never gzipped (as the compression middleware's threshold). */
export const GZIP_MIN_BYTES = 2048;

/**
 * An answer is compressed once per data version and sent to every poller
 * until its data moves, so zlib's default level 6, except for bodies of a
 * MiB or more, which get level 1: they are made on a user's click (a node's
 * 30 days of rows when the range is switched, 1.1 MiB of JSON at 500 units:
 * 14 ms at level 6 against 3 ms, twenty of them at once). Measured at 500
 * units: a node's 24 h rows (669 KiB) 28 KiB at level 6 against 56 KiB, in
 * 5.7 ms against 1.9 ms, on libuv's pool. (Answers made per request go
 * through koa-compress at level 1, app.ts.)
 */
const GZIP_LEVEL = 6;
const GZIP_LEVEL_LARGE = 1;
const LARGE_BYTES = 1024 * 1024;

/** Serialised bytes in order, with their total length. */
export interface Bytes {
  readonly parts: readonly Buffer[];
  readonly length: number;
}

export interface Answer extends Bytes {
  /** Content-Type. */
  readonly type: string;
  /** Unique per built answer; the ETag is `"<tag>"`, and `"<tag>-gz"` for the gzip form. */
  readonly tag: string;
  /** The gzip form, made at the first call and shared by every later one. */
  gzipped(): Promise<Bytes>;
  /** The gzip form when already made, else undefined (nothing is started). */
  gzippedNow(): Bytes | undefined;
  /** Bytes held: the body, plus the gzip form once made. */
  held(): number;
}

/** Text or Buffer parts as bytes. */
export function toBytes(parts: Iterable<string | Buffer>): Bytes {
  const out: Buffer[] = [];
  let length = 0;
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p) : p;
    if (b.length === 0) continue;
    out.push(b);
    length += b.length;
  }
  return { parts: out, length };
}

/** An answer over `bytes`, named `tag` (which must never name other bytes in this process). */
export function createAnswer(bytes: Bytes, type: string, tag: string): Answer {
  let gz: Promise<Bytes> | undefined;
  let made: Bytes | undefined;
  let gzLength = 0;
  return {
    parts: bytes.parts,
    length: bytes.length,
    type,
    tag,
    gzipped() {
      gz ??= gzipParts(bytes.parts, bytes.length >= LARGE_BYTES ? GZIP_LEVEL_LARGE : GZIP_LEVEL).then((b) => {
        gzLength = b.length;
        made = b;
        return b;
      });
      return gz;
    },
    gzippedNow: () => made,
    held: () => bytes.length + gzLength,
  };
}

/** One gzip member over all parts, compressed on libuv's thread pool. */
function gzipParts(parts: readonly Buffer[], level: number): Promise<Bytes> {
  return new Promise((resolve, reject) => {
    const z = createGzip({ level, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY });
    const out: Buffer[] = [];
    let length = 0;
    z.on('data', (b: Buffer) => {
      out.push(b);
      length += b.length;
    });
    z.on('error', reject);
    z.on('end', () => resolve({ parts: out.length > 1 ? [Buffer.concat(out, length)] : out, length }));
    for (const p of parts) z.write(p);
    z.end();
  });
}

/** Content-Type of every JSON answer (what Koa sets for an object body). */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** A value serialised once, as a JSON answer's body. */
export function jsonBytes(value: unknown): { bytes: Bytes; type: string } {
  return { bytes: toBytes([JSON.stringify(value)]), type: JSON_TYPE };
}
