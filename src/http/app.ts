import type Koa from 'koa';
import type { Context, Middleware, Next } from 'koa';
import type compress from 'koa-compress';
import type serve from 'koa-static';
import { requireCjs } from '../cjs.js';
import type { Logger } from '../log.js';
import type { LocalNode } from '../node/local.js';
import { AnswerCache } from './answer-cache.js';
import { answerVersions, type DataVersions } from './answer-versions.js';
import { authMiddleware, createAuthFailures } from './auth.js';
import { encodingGuard } from './encoding.js';
import type { Registry } from 'prom-client';
import { badgeRoutes, badgeSourceFromLocal } from './badge-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import { openApiRoutes } from './openapi.js';
import { sdRoutes } from './sd-routes.js';
import { clusterRoutes, type PeerSnapshots, type PeerViews } from './cluster-routes.js';
import { errorMiddleware, HttpError } from './errors.js';
import { healthRoutes, type Health } from './health-routes.js';
import { incidentRoutes, type IncidentSource } from './incident-routes.js';
import { nodeRoutes } from './node-routes.js';
import { keptLane } from './kept-lane.js';
import { shareStreaming } from './send-chunks.js';
import { securityHeaderList, securityHeaders } from './security.js';

export interface AppDeps {
  local: LocalNode;
  peers: PeerSnapshots;
  /** Each peer with its own versions, so a refresh of one rebuilds only its parts of the cluster answers; without them, `peers` under versions.peers. */
  peerViews?: PeerViews;
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
  /** The daemon's Prometheus registry, served at /metrics; no /metrics route when absent. */
  metrics?: { registry: () => Promise<Registry>; public?: boolean };
  /** Configured peers, listed (when enabled) by the Prometheus service discovery route beside /metrics. */
  peersConfig?: readonly { id: string; name: string; base_url: string; enabled: boolean }[];
  /** badges_public: /api/badge/* answers without the api key (for READMEs). */
  badgesPublic?: boolean;
  // No /api/incidents route when absent
  incidents?: IncidentSource;
  /** Where answers are kept as bytes (the daemon passes its own to count it in /metrics); a new one when absent. */
  answers?: AnswerCache;
  /** Versions of peer and incident data; without them those answers are built per request. */
  versions?: DataVersions;
}

/** Static files served from publicDir; nothing else there (sources, tsconfig) is exposed. */
const STATIC = /^\/(?:|index\.html|styles\.css|favicon\.svg|dist\/[\w.-]+|demo\/[\w.-]+)$/;

/**
 * Builds the Koa app with every dependency passed in. `app.callback()` can be
 * driven by tests with no port; main.ts listens.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new (requireCjs('koa') as typeof Koa)();
  app.proxy = false;
  app.silent = true; // errors are logged by errorMiddleware, once
  const cache = deps.answers ?? new AnswerCache();
  const versions = answerVersions({
    local: deps.local,
    now: deps.now,
    ...(deps.versions !== undefined ? { versions: deps.versions } : {}),
    writes: () => deps.health(),
  });
  const security = securityHeaderList(deps.frameAncestors !== undefined ? { frameAncestors: deps.frameAncestors } : {});
  const authFailures = createAuthFailures({ now: deps.now }); // one wrong-key budget for /api/* and /metrics
  // Polls of an unchanged kept answer are answered before Koa (see kept-lane.ts).
  keptLane(app, { cache, stamp: versions.stamp, apiKey: deps.apiKey, failures: authFailures, headers: security });
  shareStreaming(app); // streamed answers: one turn queue (a bounded time per turn), one serialisation per identical request

  app.use(errorMiddleware((m) => deps.log.error(m)));
  // Kept answers bring their own gzip form; for the rest, the compressor may only use gzip, and only when it is accepted.
  app.use(encodingGuard());
  // A 5 x 500-unit /api/cluster is ~25 MB of JSON and shrinks ~20x; zlib streams run off the main thread.
  // Level 1: measured on a 30-day 500-unit cluster answer, 14.5 ms instead of 42.7 ms at the default
  // level 6, for 400 KiB instead of 205 KiB. Brotli is off: it costs far more CPU than it saves here.
  // Only gzip (zstd exists from Node 22 on; its option is not in the types yet).
  // Loaded at the first request: a daemon at rest never holds it.
  let compressor: Middleware | undefined;
  app.use((ctx, next) => {
    compressor ??= (requireCjs('koa-compress') as typeof compress)({ threshold: 2048, br: false, deflate: false, gzip: { level: 1 }, ...{ zstd: false } });
    return compressor(ctx, next);
  });
  app.use(securityHeaders(security));
  app.use(cors(deps.corsOrigins ?? []));
  app.use(methodGuard());
  // Badges are mounted before the key check when badges_public, after it (with the API) otherwise
  const badges = badgeRoutes({ source: badgeSourceFromLocal(deps.local), now: deps.now, cache, versions });
  if (deps.badgesPublic === true) app.use(badges.routes());
  app.use(authMiddleware({ apiKey: deps.apiKey, prefix: '/api/', now: deps.now, failures: authFailures }));
  app.use(async (ctx, next) => {
    await next();
    if (ctx.path.toLowerCase().startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
  });

  for (const r of [
    nodeRoutes({ local: deps.local, historyCap: deps.historyCap, cache, versions }),
    clusterRoutes({ local: deps.local, peers: deps.peers, ...(deps.peerViews !== undefined ? { views: deps.peerViews } : {}), cache, versions }),
    healthRoutes({ health: deps.health, now: deps.now }),
  ]) {
    app.use(r.routes());
  }
  if (deps.incidents !== undefined) app.use(incidentRoutes({ incidents: deps.incidents, cache, versions }).routes());
  if (deps.metrics !== undefined) {
    app.use(metricsRoutes({
      registry: deps.metrics.registry, apiKey: deps.apiKey, public: deps.metrics.public ?? false, now: deps.now, failures: authFailures, cache, versions,
    }).routes());
    const peers = (deps.peersConfig ?? []).filter((p) => p.enabled).map((p) => ({ id: p.id, name: p.name, baseUrl: p.base_url }));
    app.use(sdRoutes({ self: () => ({ id: deps.local.info().id, name: deps.local.info().name }), peers: () => peers }).routes());
  }
  if (deps.badgesPublic !== true) app.use(badges.routes());
  app.use(openApiRoutes({
    version: deps.local.info().jobmonitor?.version ?? '0.0.0',
    apiKey: deps.apiKey !== undefined,
    metricsPublic: deps.metrics?.public ?? false,
    badgesPublic: deps.badgesPublic ?? false,
    absent: [...(deps.metrics === undefined ? ['/metrics', '/api/prometheus/targets'] : []), ...(deps.incidents === undefined ? ['/api/incidents'] : [])],
  }, cache.nextTag()).routes());

  // koa-static is loaded at the first file asked for: a daemon only polled through the API never holds it (~1 MB).
  let files: Middleware | undefined;
  app.use(async (ctx, next) => {
    if (!STATIC.test(ctx.path)) return next();
    files ??= (requireCjs('koa-static') as typeof serve)(deps.publicDir, { index: 'index.html', maxage: 60_000, hidden: false, defer: false });
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
    // The component bundle is public: any page may load it as a module script (always a CORS fetch).
    if (ctx.path.startsWith('/dist/')) ctx.set('Access-Control-Allow-Origin', '*');
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
