import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { IncidentList } from '../incidents/types.js';
import type { RangeName } from '../types.js';
import { MAX_RESOLVED } from '../incidents/list.js';
import { jsonBytes } from './answer.js';
import type { AnswerCache } from './answer-cache.js';
import type { AnswerVersions } from './answer-versions.js';
import { parseLimit, parseRange } from './query.js';
import { sendAnswer } from './send-answer.js';

/** What the route needs: the list for a range, at most `limit` resolved incidents. */
export type IncidentSource = (range: RangeName, limit: number) => IncidentList;

/**
 * GET /api/incidents?range=24h|30d[&limit=N] (ours): open incidents, then the
 * ones resolved within the range, newest first. `range` is strict here (an
 * unknown value is a 400), as on every route the original does not have.
 * Built once per incident change (and time bucket), served as bytes.
 */
export function incidentRoutes(deps: { incidents: IncidentSource; cache: AnswerCache; versions: Pick<AnswerVersions, 'incidents'> }): Router {
  const router = createRouter();
  router.get('/api/incidents', (ctx) => {
    const range = parseRange(ctx.query['range'], true);
    const limit = parseLimit(ctx.query['limit'], MAX_RESOLVED);
    const answer = deps.cache.answer(`incidents:${range}:${limit}`, deps.versions.incidents(), () => jsonBytes(deps.incidents(range, limit)));
    return sendAnswer(ctx, answer, deps.cache);
  });
  return router;
}
