/**
 * Streamed answers: JSON text made chunk by chunk as the socket takes it,
 * never one giant string. Every chunk is one job of the app's turn queue
 * (turns.ts), and identical requests in flight share one serialisation
 * (shared-chunks.ts).
 */
import { Readable } from 'node:stream';
import type Koa from 'koa';
import type { Context } from 'koa';
import { createAnswer } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import { wantsGzip } from './encoding.js';
import { etagOf } from './send-answer.js';
import { SharedChunks, type SharedReader } from './shared-chunks.js';
import { createTurns, type Turns } from './turns.js';

/** What the streams of one app share: the turn queue and the shared serialisations. */
export interface Streaming {
  turns: Turns;
  shared: SharedChunks;
}

const STREAMING = Symbol('streaming');

/** Gives every request of `app` the same Streaming (one turn queue, one set of shared serialisations). */
export function shareStreaming(app: Koa, s: Streaming = { turns: createTurns(), shared: new SharedChunks() }): void {
  (app.context as { [STREAMING]?: Streaming })[STREAMING] = s;
}

/** Where a streamed answer is kept when it turns out small enough. */
export interface KeepAt {
  cache: AnswerCache;
  key: string;
  version: string;
}

/** A reader over one's own source (no sharing). */
function ownReader(make: () => Iterable<string>): SharedReader {
  const it = make()[Symbol.iterator]();
  return {
    next: () => {
      const v = it.next();
      return v.done === true ? undefined : Buffer.from(v.value);
    },
    close: () => {},
  };
}

/**
 * Streams the JSON text of `make()` (pulled only as the socket drains, so a
 * client that does not read holds one chunk, not the answer). With `keep`,
 * the answer gets an ETag, streams of the same key and version share one
 * serialisation, and an answer that ends within the cache's answer bound is
 * kept so the next request is served from bytes.
 */
export function sendChunks(ctx: Context, make: () => Iterable<string>, type: string, keep?: KeepAt): void {
  ctx.type = type;
  const contentType = ctx.response.get('Content-Type');
  const streaming = (ctx as { [STREAMING]?: Streaming })[STREAMING];
  const turns = streaming?.turns ?? { later: (job: () => void) => void setImmediate(job) };
  const reader = keep !== undefined && streaming !== undefined ? streaming.shared.open(`${keep.key}@${keep.version}`, make) : ownReader(make);
  const tag = keep?.cache.nextTag();
  if (tag !== undefined) ctx.set('ETag', etagOf(tag, wantsGzip(ctx)));
  let claim = keep !== undefined && ctx.method === 'GET' ? keep.cache.claim(keep.key) : undefined;
  let kept: Buffer[] = [];
  let keptBytes = 0;
  const stopKeeping = () => {
    claim?.release();
    claim = undefined;
    kept = [];
  };
  let scheduled = false;
  const step = (): void => {
    if (stream.destroyed) return;
    try {
      const b = reader.next();
      if (b !== undefined && b.length === 0) return turns.later(step); // not ready yet: a reader catching up
      scheduled = false;
      if (b === undefined) {
        if (claim !== undefined && keep !== undefined && tag !== undefined) {
          keep.cache.put(keep.key, keep.version, createAnswer({ parts: kept, length: keptBytes }, contentType, tag));
        }
        stopKeeping();
        reader.close();
        stream.push(null);
        return;
      }
      if (claim !== undefined) {
        keptBytes += b.length;
        if (keptBytes > keep!.cache.maxAnswerBytes) stopKeeping();
        else kept.push(b);
      }
      stream.push(b);
    } catch (err) {
      stream.destroy(err as Error);
    }
  };
  const stream: Readable = new Readable({
    highWaterMark: 16 * 1024,
    read() {
      // One chunk per job, and a bounded time of jobs per turn of the event loop (turns.ts): a client's
      // socket buffer (megabytes on loopback) is filled chunk by chunk between other requests.
      if (scheduled) return;
      scheduled = true;
      turns.later(step);
    },
    destroy(err, done) {
      stopKeeping();
      reader.close();
      done(err);
    },
  });
  ctx.body = stream;
}
