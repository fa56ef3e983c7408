import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Context, Next } from 'koa';
import { HttpError } from './errors.js';

/**
 * Compares a presented key with the configured one in constant time.
 * Both sides are hashed first so neither length nor content leaks through timing.
 */
export function keyMatches(presented: string, expected: string): boolean {
  return keyCheck(expected)(presented);
}

/** keyMatches against one configured key, hashed once instead of per request. */
export function keyCheck(expected: string): (presented: string) => boolean {
  const b = createHash('sha256').update(expected).digest();
  return (presented) => timingSafeEqual(createHash('sha256').update(presented).digest(), b);
}

/** Extracts the token of `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

/**
 * Who a failed attempt is counted against: an IPv4 address, or the /64 of an
 * IPv6 address (one host usually holds a whole /64, so counting single
 * addresses would give it 2^64 budgets). IPv4-mapped IPv6 is its IPv4.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return mapped[1]!;
  const bare = ip.replace(/%.*$/, ''); // zone id
  if (!isIPv6(bare)) return ip;
  const [head = '', tail] = bare.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail counts as two groups; it only ever sits in the low 64 bits.
  const width = (g: string[]) => g.reduce((n, x) => n + (x.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - width(left) - width(right)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Failed key attempts per client (clientKey) in a time window. One instance
 * is shared by every route that checks the key (/api/* and /metrics), so a
 * client has one budget, not one per route.
 */
export interface AuthFailures {
  /** Seconds until the client may try again, or undefined when it may try now. */
  blockedFor(ip: string): number | undefined;
  /** Counts one wrong key. */
  record(ip: string): void;
}

export function createAuthFailures(opts: { maxFailures?: number; windowMs?: number; now?: () => number } = {}): AuthFailures {
  const maxFailures = opts.maxFailures ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const failures = new Map<string, { count: number; since: number }>();
  return {
    blockedFor(ip) {
      const who = clientKey(ip);
      const t = now();
      const rec = failures.get(who);
      if (rec !== undefined && t - rec.since > windowMs) failures.delete(who);
      const current = failures.get(who);
      if (current === undefined || current.count < maxFailures) return undefined;
      return Math.ceil((current.since + windowMs - t) / 1000);
    },
    record(ip) {
      const who = clientKey(ip);
      if (failures.size >= 10_000 && !failures.has(who)) {
        const oldest = failures.keys().next().value; // bound memory under a spray of addresses
        if (oldest !== undefined) failures.delete(oldest);
      }
      const r = failures.get(who) ?? { count: 0, since: now() };
      r.count += 1;
      failures.set(who, r);
    },
  };
}

export interface AuthOptions {
  apiKey: string | undefined;
  /** Paths under this prefix need the key. */
  prefix: string;
  /** Failed attempts allowed per client (clientKey) per window before 429 (when `failures` is not given). */
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** The failure budget, shared with the other routes that check the key (default: this middleware's own). */
  failures?: AuthFailures;
}

/**
 * Requires `Authorization: Bearer <api_key>` on every path under `prefix`
 * when a key is configured. Repeated wrong keys from one client (an IPv4
 * address or an IPv6 /64) are rate-limited (429 with Retry-After) so the key
 * cannot be guessed quickly.
 */
export function authMiddleware(opts: AuthOptions) {
  const failures = opts.failures ?? createAuthFailures({
    ...(opts.maxFailures !== undefined ? { maxFailures: opts.maxFailures } : {}),
    ...(opts.windowMs !== undefined ? { windowMs: opts.windowMs } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}),
  });

  const matches = opts.apiKey === undefined ? undefined : keyCheck(opts.apiKey);
  return async (ctx: Context, next: Next): Promise<void> => {
    // Lower-cased: the check must cover every spelling a router could match.
    if (matches === undefined || !ctx.path.toLowerCase().startsWith(opts.prefix)) return next();
    const wait = failures.blockedFor(ctx.ip);
    if (wait !== undefined) {
      ctx.set('Retry-After', String(wait));
      throw new HttpError(429, 'too many failed authentication attempts; try again later');
    }
    const token = bearerToken(ctx.get('Authorization') || undefined);
    if (token !== undefined && matches(token)) return next();
    // Only a wrong key is a guess; a request without one (a browser tab before the key is entered) is not.
    if (token !== undefined) failures.record(ctx.ip);
    ctx.set('WWW-Authenticate', 'Bearer realm="jobmonitor"');
    throw new HttpError(401, token === undefined ? 'missing bearer token: send Authorization: Bearer <api_key>' : 'invalid api key');
  };
}
