/**
 * The OpenAPI paths of the compact feed (cluster-feed-routes.ts); the
 * schemas of its answers are in src/views/cluster-feed-schema.ts.
 */
import { ref, type Schema } from './openapi-schemas.js';

type Operation = Record<string, unknown>;

/** The feed's paths; `api` adds this node's key rule to an operation. */
export function feedPaths(api: (op: Operation) => Operation, param: (name: string) => Schema): Record<string, unknown> {
  const json = (name: Parameters<typeof ref>[0], description: string) => ({ description, content: { 'application/json': { schema: ref(name) } } });
  const error = (description: string) => json('Error', description);
  return {
    '/api/cluster/summary': {
      get: api({
        tags: ['cluster'], operationId: 'clusterSummary', summary: "Ours: every node briefly (the dashboard's first request).",
        description: 'Sync state, probe, mean uptime, [id, name, state, tone] per unit and the full rows of the units with problems. Kept per data version with an ETag (304 on If-None-Match).',
        parameters: [param('strictRange')],
        responses: { '200': json('FeedSummary', 'Every node, this node first.'), '400': error('A query parameter is invalid.') },
      }),
    },
    '/api/cluster/node/{id}': {
      get: api({
        tags: ['cluster'], operationId: 'clusterNode', summary: "Ours: one node's unit rows, timelines as letters.",
        description: 'What /api/cluster says of the node\'s units, compact. Kept per data version with an ETag (304 on If-None-Match). With `since`, only the fields that changed since the rows of that tag (FeedNodeDelta), while this node still knows them (the last 4 rows answers it served per node and range, and the same units in the same order); otherwise the whole rows (FeedNode).',
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'A node id of this cluster.', schema: { type: 'string' } },
          param('strictRange'),
          {
            name: 'since', in: 'query', required: false,
            description: 'The tag of the rows the client holds: their ETag, with or without quotes and -gz (at most 64 characters; an unknown tag gets the whole rows).',
            schema: { type: 'string', maxLength: 64 },
          },
        ],
        responses: {
          '200': { description: "The node's rows, or with `since` what changed in them.", content: { 'application/json': { schema: { oneOf: [ref('FeedNode'), ref('FeedNodeDelta')] } } } },
          '400': error('A query parameter is invalid.'),
          '404': error('No node of this cluster has this id.'),
        },
      }),
    },
  };
}
