/**
 * Content-coding negotiation, once per request. We send gzip or nothing: when
 * Accept-Encoding rules out both (`identity;q=0`, `*;q=0`), the answer is sent
 * uncompressed with 200, as RFC 9110 (12.5.3) allows, rather than a 406 that
 * would break a client over a header it cannot fix; no value makes an error.
 */
import type { Context, Next } from 'koa';

const GZIP = Symbol('gzip');

/** Whether this request's answer may be gzipped (gzip is acceptable and preferred over identity). */
export function wantsGzip(ctx: Context): boolean {
  const state = ctx.state as { [GZIP]?: boolean };
  state[GZIP] ??= plainList(ctx.get('Accept-Encoding')) ?? ctx.acceptsEncodings(['gzip', 'identity']) === 'gzip';
  return state[GZIP];
}

/**
 * The common header with no weights ("gzip, deflate, br"): gzip is wanted
 * when listed (every listed coding then has q=1, and we prefer gzip). Anything
 * with a weight or a wildcard is left to the full negotiation (undefined).
 */
export function plainList(header: string): boolean | undefined {
  if (header.length > 64 || header.includes(';') || header.includes('*')) return undefined;
  return header.split(',').some((c) => c.trim().toLowerCase() === 'gzip');
}

/**
 * Mounted before the compression middleware: it may only compress (with gzip)
 * when the client takes gzip, so it never has to pick among no acceptable codings.
 */
export function encodingGuard() {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!wantsGzip(ctx)) ctx.compress = false;
    await next();
  };
}
