/**
 * The fast lane for kept answers. Pollers ask the same URLs again and again
 * between two samples, and for a kept answer Koa's context and the full
 * middleware chain (error handling, encoding guard, compression check,
 * security headers, CORS, method guard, key check, the routers) cost more CPU
 * than sending the bytes (measured: about 45 µs per request through the
 * chain, 28 µs here). So once the chain has served a URL under /api/ from a
 * kept answer, the lane remembers which answer that was; while no data
 * version moved, the next GET or HEAD of that exact URL is answered in the
 * server's request handler, before Koa builds a context: key check, the
 * answer's precomputed headers, 304 or its identity or gzip bytes. Everything
 * else goes to Koa unchanged: other methods, an Origin header (CORS), a
 * missing or wrong key or a rate-limited client, an Accept-Encoding with
 * weights or wildcards, an answer since evicted or in several parts, a gzip
 * form not yet made. The status, headers and bytes are the ones the chain
 * sends (a test compares them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { Context, Next } from 'koa';
import { GZIP_MIN_BYTES, type Answer } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import { bearerToken, keyCheck, type AuthFailures } from './auth.js';
import { plainList } from './encoding.js';
import { ANSWER_SERVED, etagOf, holdsAnswer, type AnswerServed } from './send-answer.js';

export interface KeptLaneOptions {
  cache: AnswerCache;
  /** Every data version at once (AnswerVersions.stamp); undefined turns the lane off. */
  stamp: () => string | undefined;
  /** The key /api/* needs, and the wrong-key budget it shares with the key check. */
  apiKey?: string | undefined;
  failures: AuthFailures;
  /** Headers the chain sets before the route (the security headers), in its order. */
  headers: readonly (readonly [string, string])[];
  /** URLs remembered; the oldest is forgotten first. Default 1,000. */
  maxUrls?: number;
}

/** A remembered URL: where its answer is kept, and the data stamp it was served at. */
interface Served {
  key: string;
  version: string;
  stamp: string;
}

/** An answer's response heads, made at its first use by the lane: [name, value, name, value, ...]. */
interface Heads {
  identity: string[];
  gzip?: string[];
  notModified: string[];
  notModifiedGzip: string[];
}

/** Longer URLs are not remembered (the memo's memory is bounded by count times this). */
const MAX_URL = 512;

/** The response heads of `answer` (kept per answer in `heads`; the gzip one once its gzip form exists). */
function responseHeads(heads: WeakMap<Answer, Heads>, before: readonly string[], answer: Answer): Heads {
  let h = heads.get(answer);
  if (h === undefined) {
    const [plainTag, gzipTag] = [etagOf(answer.tag, false), etagOf(answer.tag, true)];
    h = {
      identity: [...before, 'ETag', plainTag, 'Content-Type', answer.type, 'Content-Length', String(answer.length), 'Cache-Control', 'no-store'],
      notModified: [...before, 'ETag', plainTag, 'Cache-Control', 'no-store'],
      notModifiedGzip: [...before, 'ETag', gzipTag, 'Cache-Control', 'no-store'],
    };
    heads.set(answer, h);
  }
  const z = answer.gzippedNow();
  if (h.gzip === undefined && z !== undefined) {
    h.gzip = [...before, 'ETag', etagOf(answer.tag, true), 'Content-Type', answer.type, 'Content-Encoding', 'gzip', 'Content-Length', String(z.length), 'Cache-Control', 'no-store'];
  }
  return h;
}

/**
 * Puts the lane in front of `app`: call it before any other app.use(). It
 * adds the middleware that learns what the routes served (through
 * sendAnswer), and makes app.callback() answer a learnt URL before Koa.
 */
export function keptLane(app: Koa, opts: KeptLaneOptions): void {
  const { cache, stamp, failures } = opts;
  const maxUrls = opts.maxUrls ?? 1_000;
  const matches = opts.apiKey === undefined ? undefined : keyCheck(opts.apiKey);
  const urls = new Map<string, Served>();
  const heads = new WeakMap<Answer, Heads>();
  // What the compression middleware sets first, then the security headers; the route's after them.
  const before = ['Vary', 'Accept-Encoding', ...opts.headers.flat()];

  /** Remembers the answer served for this URL, unless data moved since the request came in (it may be of the older version). */
  const remember = (ctx: Context, answer: Answer, atStart: string): void => {
    const url = ctx.url;
    if (url.length > MAX_URL || !ctx.path.startsWith('/api/') || stamp() !== atStart) return;
    const kept = cache.keptAs(answer);
    if (kept === undefined) return;
    urls.delete(url);
    if (urls.size >= maxUrls) urls.delete(urls.keys().next().value!);
    urls.set(url, { key: kept.key, version: kept.version, stamp: atStart });
  };

  app.use((ctx: Context, next: Next) => {
    const atStart = stamp();
    if (atStart !== undefined) (ctx.state as { [ANSWER_SERVED]?: AnswerServed })[ANSWER_SERVED] = (c, a) => remember(c, a, atStart);
    return next();
  });

  /** The answer the chain would send for this request, or undefined when only the chain may tell. */
  const keptFor = (req: IncomingMessage): Answer | undefined => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.origin !== undefined) return undefined;
    const served = urls.get(req.url ?? '');
    if (served === undefined || served.stamp !== stamp()) return undefined;
    if (matches !== undefined) {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined || failures.blockedFor(req.socket.remoteAddress ?? '') !== undefined || !matches(token)) return undefined;
    }
    return cache.get(served.key, served.version);
  };

  const headsOf = (answer: Answer): Heads => responseHeads(heads, before, answer);

  /** Answers `req` from its kept answer; false (nothing sent) when Koa must. */
  const serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    const answer = keptFor(req);
    if (answer === undefined) return false;
    const gzip = answer.length >= GZIP_MIN_BYTES && plainList(req.headers['accept-encoding'] ?? '');
    if (gzip === undefined) return false;
    const body = gzip ? answer.gzippedNow() : answer;
    if (body === undefined || body.parts.length > 1) return false;
    const h = headsOf(answer);
    if (holdsAnswer(req.headers['if-none-match'] ?? '', answer.tag)) {
      res.writeHead(304, gzip ? h.notModifiedGzip : h.notModified);
      res.end();
      return true;
    }
    res.writeHead(200, gzip ? h.gzip! : h.identity);
    // A HEAD answer has the headers only (Node writes no body for it).
    res.end(body.parts[0]);
    return true;
  };

  const callback = app.callback.bind(app);
  app.callback = () => {
    const handle = callback();
    // Only ever given Node's HTTP/1.1 server (src/daemon.ts, the tests).
    return (req, res) => (serve(req as IncomingMessage, res as ServerResponse) ? Promise.resolve() : handle(req, res));
  };
}
