import type { Context, Next } from 'koa';

/**
 * Turns every error into JSON `{"error":{"message","code"}}`. A 4xx message
 * is shown as thrown (ctx.throw(400, "...")); a 5xx never leaks details or a
 * stack trace, it is logged instead.
 */
export function errorMiddleware(log: (message: string) => void) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { message: `not found: ${ctx.path}`, code: 'not_found' } };
      }
    } catch (err) {
      const e = err as { status?: unknown; statusCode?: unknown; message?: unknown; code?: unknown; expose?: unknown };
      const raw = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
      const status = raw >= 400 && raw < 600 ? raw : 500;
      const client = status < 500;
      if (!client) log(`http ${ctx.method} ${ctx.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      ctx.status = status;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        error: {
          message: client && typeof e.message === 'string' ? e.message : 'internal error',
          code: client && typeof e.code === 'string' ? e.code : codeFor(status),
        },
      };
    }
  };
}

function codeFor(status: number): string {
  switch (status) {
    case 400: return 'bad_request';
    case 401: return 'unauthorized';
    case 404: return 'not_found';
    case 405: return 'method_not_allowed';
    case 413: return 'too_large';
    case 414: return 'uri_too_long';
    case 429: return 'too_many_requests';
    default: return status < 500 ? 'client_error' : 'internal';
  }
}

/** An error with an HTTP status and a stable code, for ctx-free code paths. */
export class HttpError extends Error {
  readonly expose = true;
  constructor(readonly status: number, message: string, readonly code: string = codeFor(status)) {
    super(message);
  }
}
