import type Router from '@koa/router';
import { createRouter } from './router.js';

export interface Health {
  /** ms epoch of the last finished sample, undefined before the first. */
  lastSampleAt: number | undefined;
  intervalMs: number;
  startedAt: number;
  pendingWrites: number;
  lastWriteError: string | undefined;
}

/**
 * /healthz: 200 while sampling is alive (the last sample is younger than two
 * intervals plus a grace, or the first sample is still due), 503 otherwise.
 * Not behind the API key, so a load balancer or systemd watchdog can poll it.
 */
export function healthRoutes(deps: { health: () => Health; now: () => number }): Router {
  const router = createRouter();
  router.get('/healthz', (ctx) => {
    const h = deps.health();
    const now = deps.now();
    const limit = 2 * h.intervalMs + 60_000;
    const age = h.lastSampleAt === undefined ? undefined : now - h.lastSampleAt;
    // Right after a (re)start the first sample is still due: a sample from before the start says nothing yet.
    const firstDue = h.lastSampleAt === undefined || h.lastSampleAt < h.startedAt;
    const alive = firstDue ? now - h.startedAt < limit || (age !== undefined && age < limit) : age! < limit;
    ctx.status = alive ? 200 : 503;
    ctx.body = {
      status: alive ? 'ok' : 'stale',
      last_sample_at: h.lastSampleAt === undefined ? null : new Date(h.lastSampleAt).toISOString(),
      // A wall clock stepped back makes these negative; never show less than 0.
      last_sample_age_seconds: age === undefined ? null : Math.max(0, Math.round(age / 1000)),
      interval_seconds: h.intervalMs / 1000,
      uptime_seconds: Math.max(0, Math.round((now - h.startedAt) / 1000)),
      pending_writes: h.pendingWrites,
      ...(h.lastWriteError !== undefined ? { last_write_error: h.lastWriteError } : {}),
    };
  });
  return router;
}
