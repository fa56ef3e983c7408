/**
 * The fast lane for kept answers. Pollers ask the same URLs again and again
 * between two samples, and for a kept answer the full chain (error handling,
 * encoding guard, compression check, security headers, CORS, method guard,
 * key check, the routers) cost more CPU than sending the bytes. So once the
 * full chain has served a URL under /api/ from a kept answer, the lane
 * remembers which answer that was; while no data version moved, the next GET
 * or HEAD of that exact URL is answered here in one synchronous step: key
 * check, the fixed headers, 304 or the identity or gzip bytes. Everything
 * else goes down the full chain unchanged: other methods, an Origin header
 * (CORS), a missing or wrong key or a rate-limited client, an answer since
 * evicted, a gzip form not yet made. The answer and its headers are the ones
 * the full chain would send (a test compares them).
 */
import type { Context, Next } from 'koa';
import { GZIP_MIN_BYTES, type Answer } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import { bearerToken, keyCheck, type AuthFailures } from './auth.js';
import { wantsGzip } from './encoding.js';
import { ANSWER_SERVED, putAnswer, type AnswerServed } from './send-answer.js';

export interface KeptLaneOptions {
  cache: AnswerCache;
  /** Every data version at once (AnswerVersions.stamp); undefined turns the lane off. */
  stamp: () => string | undefined;
  /** The key /api/* needs, and the wrong-key budget it shares with the key check. */
  apiKey?: string | undefined;
  failures: AuthFailures;
  /** Headers the full chain sets before the route (security headers), in its order. */
  headers: readonly (readonly [string, string])[];
  /** URLs remembered; the oldest is forgotten first. Default 1,000. */
  maxUrls?: number;
}

/** A remembered URL: the answer it was served from, and the data stamp at the time. */
interface Served {
  key: string;
  version: string;
  stamp: string;
}

/** Longer URLs are not remembered (the memo's memory is bounded by count times this). */
const MAX_URL = 512;

/** The lane middleware; mount it first. The routes tell it what they served through sendAnswer (rememberServed). */
export function keptLane(opts: KeptLaneOptions) {
  const { cache, stamp, failures } = opts;
  const maxUrls = opts.maxUrls ?? 1_000;
  const matches = opts.apiKey === undefined ? undefined : keyCheck(opts.apiKey);
  const urls = new Map<string, Served>();
  // What the compression middleware sets before everything, the security headers, then the route's.
  const before: readonly (readonly [string, string])[] = [['Vary', 'Accept-Encoding'], ...opts.headers];

  /**
   * Remembers the answer served for this URL, unless data moved since the
   * request came in (then the answer may be of the older version).
   */
  const remember = (ctx: Context, answer: Answer, atStart: string): void => {
    const url = ctx.url;
    if (url.length > MAX_URL || !ctx.path.startsWith('/api/') || stamp() !== atStart) return;
    const kept = cache.keptAs(answer);
    if (kept === undefined) return;
    urls.delete(url);
    if (urls.size >= maxUrls) urls.delete(urls.keys().next().value!);
    urls.set(url, { key: kept.key, version: kept.version, stamp: atStart });
  };

  /** The answer the full chain would send for this request, or undefined when only the full chain may tell. */
  const keptFor = (ctx: Context): Answer | undefined => {
    const req = ctx.req;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.origin !== undefined) return undefined;
    const served = urls.get(req.url ?? '');
    if (served === undefined || served.stamp !== stamp()) return undefined;
    if (matches !== undefined) {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined || failures.blockedFor(ctx.ip) !== undefined || !matches(token)) return undefined;
    }
    return cache.get(served.key, served.version);
  };

  return (ctx: Context, next: Next): Promise<void> | void => {
    const answer = keptFor(ctx);
    const gzip = answer !== undefined && answer.length >= GZIP_MIN_BYTES && wantsGzip(ctx);
    if (answer === undefined || (gzip && answer.gzippedNow() === undefined)) {
      const atStart = stamp();
      if (atStart !== undefined) (ctx.state as { [ANSWER_SERVED]?: AnswerServed })[ANSWER_SERVED] = (c, a) => remember(c, a, atStart);
      return next();
    }
    const res = ctx.res;
    for (const [name, value] of before) res.setHeader(name, value);
    putAnswer(ctx, answer, gzip);
    res.setHeader('Cache-Control', 'no-store');
  };
}
