import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { Context } from 'koa';
import * as v from 'valibot';
import type { LocalNode } from '../node/local.js';
import type { CheckResult, RangeName, ServiceUptime, StatusEntry } from '../types.js';
import { jsonBytes, toBytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { shieldsEndpoint, statusBadge, uptimeBadge } from './badge.js';
import { renderBadgeSvg, type Badge } from './badge-svg.js';
import { HttpError } from './errors.js';
import { parseRange } from './query.js';
import { sendAnswer } from './send-answer.js';

/** What the badges read about the local node's targets. */
export interface BadgeSource {
  /** The configured target with this id, or undefined. */
  target(id: string): { id: string; name: string } | undefined;
  /** The newest sample, undefined before the first. */
  latest(): StatusEntry | undefined;
  uptime(id: string, range: RangeName): ServiceUptime | undefined;
  /** A sample older than this (ms) is stale. */
  staleAfterMs(): number;
}

/** The badge source over the local node (the same data /api/node/* serves). */
export function badgeSourceFromLocal(local: LocalNode): BadgeSource {
  return {
    target: (id) => local.targets().find((t) => t.id === id),
    latest: () => local.statusBody()['status'] as StatusEntry | undefined,
    uptime: (id, range) => (local.uptimeBody(range)['services'] as ServiceUptime[]).find((s) => s.id === id),
    // /healthz's limit: two intervals and a minute of grace.
    staleAfterMs: () => 2 * local.intervalMs() + 60_000,
  };
}

const LabelSchema = v.pipe(v.string(), v.maxLength(64, 'label: at most 64 characters'));
const KindSchema = v.picklist(['status', 'uptime'], 'kind: expected status or uptime');

function query(ctx: Context, name: string): string | undefined {
  const raw = ctx.query[name];
  return Array.isArray(raw) ? raw[raw.length - 1] : raw;
}

function parsed<T>(schema: v.GenericSchema<unknown, T>, raw: unknown): T {
  const r = v.safeParse(schema, raw);
  if (!r.success) throw new HttpError(400, r.issues[0]?.message ?? 'bad query', 'bad_query');
  return r.output;
}

/**
 * Badges for READMEs, per configured target:
 * - GET /api/badge/:target/status.svg — the unit's state now;
 * - GET /api/badge/:target/uptime.svg?range=24h|30d — its uptime (default 24h);
 * - GET /api/badge/:target/shields.json?kind=status|uptime&range= — shields.io endpoint JSON.
 * `?label=` replaces the label (the target's name; "<name> <range>" for uptime).
 * An unknown target is a 404 JSON error. They follow the API key rule unless
 * the app mounts them before the key check (badges_public).
 */
export function badgeRoutes(deps: { source: BadgeSource; now: () => number; cache: AnswerCache; versions: Pick<AnswerVersions, 'local'> }): Router {
  const { source, cache } = deps;
  const router = createRouter();

  const badgeFor = (ctx: Context, kind: 'status' | 'uptime'): Badge => {
    const id = ctx.params['target'] ?? '';
    const target = source.target(id);
    if (target === undefined) throw new HttpError(404, `unknown target ${JSON.stringify(id)}`, 'unknown_target');
    const labelRaw = query(ctx, 'label');
    const label = labelRaw === undefined ? undefined : parsed(LabelSchema, labelRaw);
    if (kind === 'status') {
      const latest = source.latest();
      const check: CheckResult | undefined = latest?.checks.find((c) => c.id === target.id);
      const at = Date.parse(latest?.timestamp ?? '');
      const stale = Number.isFinite(at) && deps.now() - at > source.staleAfterMs();
      return statusBadge(label ?? target.name, check, stale);
    }
    const range = parseRange(ctx.query['range'], true);
    return uptimeBadge(label ?? `${target.name} ${range}`, source.uptime(target.id, range));
  };

  /** Kept per target, label and range until the local data changes (an unknown target throws before anything is kept). */
  const keyOf = (ctx: Context, kind: 'status' | 'uptime', form: string) => {
    const range = kind === 'uptime' ? parseRange(ctx.query['range'], true) : '';
    return `badge:${form}:${kind}:${range}:${ctx.params['target'] ?? ''}:${query(ctx, 'label') ?? ''}`;
  };

  const svg = (kind: 'status' | 'uptime') => (ctx: Context) => {
    const answer = cache.answer(keyOf(ctx, kind, 'svg'), deps.versions.local(), () => ({
      bytes: toBytes([renderBadgeSvg(badgeFor(ctx, kind))]),
      type: 'image/svg+xml; charset=utf-8',
    }));
    ctx.set('Cache-Control', 'no-store');
    return sendAnswer(ctx, answer, cache);
  };

  router.get('/api/badge/:target/status.svg', svg('status'));
  router.get('/api/badge/:target/uptime.svg', svg('uptime'));
  router.get('/api/badge/:target/shields.json', (ctx) => {
    const kind = parsed(KindSchema, query(ctx, 'kind') ?? 'status');
    const answer = cache.answer(keyOf(ctx, kind, 'shields'), deps.versions.local(), () => jsonBytes(shieldsEndpoint(badgeFor(ctx, kind))));
    ctx.set('Cache-Control', 'no-store');
    return sendAnswer(ctx, answer, cache);
  });
  return router;
}
