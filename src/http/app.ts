import Koa from 'koa';
import compress from 'koa-compress';
import serve from 'koa-static';
import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';
import type { LocalNode } from '../node/local.js';
import { authMiddleware } from './auth.js';
import { clusterRoutes, type PeerSnapshots } from './cluster-routes.js';
import { errorMiddleware, HttpError } from './errors.js';
import { healthRoutes, type Health } from './health-routes.js';
import { nodeRoutes } from './node-routes.js';
import { securityHeaders } from './security.js';

export interface AppDeps {
  local: LocalNode;
  peers: PeerSnapshots;
  health: () => Health;
  log: Logger;
  now: () => number;
  historyCap: number;
  apiKey?: string | undefined;
  /** Directory with index.html and dist/ (the built dashboard). */
  publicDir: string;
  /** Origins allowed to call the API from a browser (CORS); empty = none. */
  corsOrigins?: readonly string[];
  /** CSP frame-ancestors for embedding the page in frames; default 'none'. */
  frameAncestors?: string;
}

/** Static files served from publicDir; nothing else there (sources, tsconfig) is exposed. */
const STATIC = /^\/(?:|index\.html|styles\.css|favicon\.svg|dist\/[\w.-]+|demo\/[\w.-]+)$/;

/**
 * Builds the Koa app with every dependency passed in. `app.callback()` can be
 * driven by tests with no port; main.ts listens.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  app.silent = true; // errors are logged by errorMiddleware, once
  app.use(errorMiddleware((m) => deps.log.error(m)));
  // A 5 x 500-unit /api/cluster is ~25 MB of JSON and shrinks ~20x; zlib streams run off the main thread.
  // Brotli is off: its default quality costs far more CPU than it saves here.
  app.use(compress({ threshold: 2048, br: false }));
  app.use(securityHeaders(deps.frameAncestors !== undefined ? { frameAncestors: deps.frameAncestors } : {}));
  app.use(cors(deps.corsOrigins ?? []));
  app.use(methodGuard());
  app.use(authMiddleware({ apiKey: deps.apiKey, prefix: '/api/', now: deps.now }));
  app.use(async (ctx, next) => {
    await next();
    if (ctx.path.startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
  });

  for (const r of [
    nodeRoutes({ local: deps.local, historyCap: deps.historyCap }),
    clusterRoutes({ local: deps.local, peers: deps.peers }),
    healthRoutes({ health: deps.health, now: deps.now }),
  ]) {
    app.use(r.routes());
  }

  const files = serve(deps.publicDir, { index: 'index.html', maxage: 60_000, hidden: false, defer: false });
  app.use(async (ctx, next) => {
    if (!STATIC.test(ctx.path)) return next();
    return files(ctx, next);
  });
  return app;
}

/** Only GET/HEAD (and CORS preflight) exist; anything else is a JSON 405. */
function methodGuard() {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') return next();
    ctx.set('Allow', 'GET, HEAD');
    throw new HttpError(405, `method ${ctx.method} not allowed`);
  };
}

/** CORS for the API, off unless origins are configured ("*" allows any). */
function cors(origins: readonly string[]) {
  const any = origins.includes('*');
  return async (ctx: Context, next: Next): Promise<void> => {
    const origin = ctx.get('Origin');
    const allowed = origin !== '' && (any || origins.includes(origin)) && (ctx.path.startsWith('/api/') || ctx.path === '/healthz');
    if (allowed) {
      ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
      ctx.vary('Origin');
      if (ctx.method === 'OPTIONS') {
        ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
        ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        ctx.set('Access-Control-Max-Age', '600');
        ctx.status = 204;
        return;
      }
    }
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      ctx.set('Allow', 'GET, HEAD, OPTIONS');
      return;
    }
    await next();
  };
}
