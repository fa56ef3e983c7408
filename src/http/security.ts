import type { Context, Next } from 'koa';

export interface SecurityOptions {
  /** CSP frame-ancestors sources; default 'none' (the page cannot be framed). */
  frameAncestors?: string;
}

/** The security headers every response carries, in the order they are set: a strict CSP allowing only 'self', nosniff, no referrer. */
export function securityHeaderList(opts: SecurityOptions = {}): readonly (readonly [string, string])[] {
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
  return [
    ['Content-Security-Policy', csp],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ...(ancestors === "'none'" ? [['X-Frame-Options', 'DENY'] as const] : []),
  ];
}

/** Sets the security headers (securityHeaderList) on every response. */
export function securityHeaders(headers: readonly (readonly [string, string])[] = securityHeaderList()) {
  return async (ctx: Context, next: Next): Promise<void> => {
    for (const [name, value] of headers) ctx.set(name, value);
    await next();
  };
}
