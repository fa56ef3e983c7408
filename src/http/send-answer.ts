/**
 * Serving answers: a kept answer's bytes (or its gzip form) with its strong
 * ETag, 304 when the client already holds it. (Answers too large to keep are
 * streamed: send-chunks.ts.)
 */
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { GZIP_MIN_BYTES, type Answer, type Bytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import { wantsGzip } from './encoding.js';

/** The strong ETag of an answer's identity or gzip form. */
export function etagOf(tag: string, gzip: boolean): string {
  return gzip ? `"${tag}-gz"` : `"${tag}"`;
}

/** If-None-Match holds either form of this answer (weak comparison, as RFC 9110 asks for If-None-Match), or `*`. */
export function holdsAnswer(ifNoneMatch: string, tag: string): boolean {
  if (ifNoneMatch === '') return false;
  for (const raw of ifNoneMatch.split(',')) {
    const t = raw.trim().replace(/^W\//, '');
    if (t === '*' || t === `"${tag}"` || t === `"${tag}-gz"`) return true;
  }
  return false;
}

function setBytes(ctx: Context, bytes: Bytes): void {
  if (bytes.parts.length === 1) {
    ctx.body = bytes.parts[0]!;
    return;
  }
  // Koa learns nothing from a stream: the length is known, so say it (no chunked encoding, no copy of the parts).
  ctx.body = bytes.parts.length === 0 ? Buffer.alloc(0) : Readable.from(bytes.parts, { objectMode: false });
  ctx.length = bytes.length;
}

/** A hook a middleware may set on ctx.state: sendAnswer calls it with every answer it serves (the kept lane learns from it). */
export const ANSWER_SERVED = Symbol('answer served');
export type AnswerServed = (ctx: Context, answer: Answer) => void;

/**
 * Sets `answer`'s headers and body: 304 when If-None-Match names it,
 * otherwise its identity bytes or, with `gzip`, its gzip form (which must be
 * made already, see Answer.gzippedNow).
 */
function putAnswer(ctx: Context, answer: Answer, gzip: boolean): void {
  ctx.set('ETag', etagOf(answer.tag, gzip));
  ctx.set('Content-Type', answer.type); // already a full Content-Type: no lookup through ctx.type
  if (holdsAnswer(ctx.get('If-None-Match'), answer.tag)) {
    ctx.status = 304;
    return;
  }
  if (!gzip) return setBytes(ctx, answer);
  ctx.set('Content-Encoding', 'gzip');
  setBytes(ctx, answer.gzippedNow()!);
}

/**
 * Answers with `answer`: 304 when If-None-Match names it, otherwise its
 * bytes, gzipped when the client accepts gzip and the body is large enough.
 * The compression middleware is told to keep out (the bytes are final).
 */
export async function sendAnswer(ctx: Context, answer: Answer, cache?: AnswerCache): Promise<void> {
  const gzip = answer.length >= GZIP_MIN_BYTES && wantsGzip(ctx);
  ctx.compress = false;
  (ctx.state as { [ANSWER_SERVED]?: AnswerServed })[ANSWER_SERVED]?.(ctx, answer);
  if (gzip && answer.gzippedNow() === undefined && !holdsAnswer(ctx.get('If-None-Match'), answer.tag)) {
    await answer.gzipped();
    cache?.trim(); // the gzip form has just grown the entry
  }
  putAnswer(ctx, answer, gzip);
}
