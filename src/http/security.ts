import type { Context, Next } from 'koa';

export interface SecurityOptions {
  /** CSP frame-ancestors sources; default 'none' (the page cannot be framed). */
  frameAncestors?: string;
}

/** Security headers on every response: a strict CSP allowing only 'self', nosniff, no referrer. */
export function securityHeaders(opts: SecurityOptions = {}) {
  const ancestors = opts.frameAncestors ?? "'none'";
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (ancestors === "'none'") ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}
