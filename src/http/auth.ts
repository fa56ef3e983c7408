import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { HttpError } from './errors.js';

/**
 * Compares a presented key with the configured one in constant time.
 * Both sides are hashed first so neither length nor content leaks through timing.
 */
export function keyMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Extracts the token of `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

export interface AuthOptions {
  apiKey: string | undefined;
  /** Paths under this prefix need the key. */
  prefix: string;
  /** Failed attempts allowed per client address per window before 429. */
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

/**
 * Requires `Authorization: Bearer <api_key>` on every path under `prefix`
 * when a key is configured. Repeated wrong keys from one address are
 * rate-limited (429 with Retry-After) so the key cannot be guessed quickly.
 */
export function authMiddleware(opts: AuthOptions) {
  const maxFailures = opts.maxFailures ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const failures = new Map<string, { count: number; since: number }>();

  return async (ctx: Context, next: Next): Promise<void> => {
    // Lower-cased: the check must cover every spelling a router could match.
    if (opts.apiKey === undefined || !ctx.path.toLowerCase().startsWith(opts.prefix)) return next();
    const t = now();
    const who = ctx.ip;
    const rec = failures.get(who);
    if (rec !== undefined && t - rec.since > windowMs) failures.delete(who);
    const current = failures.get(who);
    if (current !== undefined && current.count >= maxFailures) {
      ctx.set('Retry-After', String(Math.ceil((current.since + windowMs - t) / 1000)));
      throw new HttpError(429, 'too many failed authentication attempts; try again later');
    }
    const token = bearerToken(ctx.get('Authorization') || undefined);
    if (token !== undefined && keyMatches(token, opts.apiKey)) return next();
    // Only a wrong key is a guess; a request without one (a browser tab before the key is entered) is not.
    if (token !== undefined) {
      if (failures.size >= 10_000 && !failures.has(who)) {
        const oldest = failures.keys().next().value; // bound memory under a spray of addresses
        if (oldest !== undefined) failures.delete(oldest);
      }
      const r = failures.get(who) ?? { count: 0, since: t };
      r.count += 1;
      failures.set(who, r);
    }
    ctx.set('WWW-Authenticate', 'Bearer realm="jobmonitor"');
    throw new HttpError(401, token === undefined ? 'missing bearer token: send Authorization: Bearer <api_key>' : 'invalid api key');
  };
}
