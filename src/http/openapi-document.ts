/**
 * The OpenAPI 3.1 document of every route the daemon serves. Built per app,
 * so it tells the truth about this node's key rule (which routes need the
 * bearer token). Response schemas are generated from the valibot schemas in
 * openapi-schemas.ts.
 */
import { componentSchemas, ref, type Schema } from './openapi-schemas.js';
import { feedPaths } from './openapi-feed.js';

export interface OpenApiOptions {
  /** The daemon's version (info.version). */
  version: string;
  /** An api_key is configured: /api/* (and /metrics) need `Authorization: Bearer <api_key>`. */
  apiKey: boolean;
  /** metrics_public: /metrics is open even with a key. */
  metricsPublic: boolean;
  /** badges_public: /api/badge/* is open even with a key. */
  badgesPublic: boolean;
  /** Routes this app does not mount (e.g. "/metrics" without a registry), left out of the document. */
  absent?: readonly string[];
}

type Operation = Record<string, unknown>;

const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);

const PARAMS: Record<string, Schema> = {
  range: {
    name: 'range', in: 'query', required: false,
    description: '24h (default) or 30d; also 1d, 24hours, 30day, 30days. As the original, anything else means 24h on this route.',
    schema: { type: 'string' },
  },
  strictRange: {
    name: 'range', in: 'query', required: false,
    description: '24h (default) or 30d; also 1d, 24hours, 30day, 30days. Anything else is a 400.',
    schema: { type: 'string', enum: ['24h', '1d', '24hours', '30d', '30day', '30days'] },
  },
  limit: {
    name: 'limit', in: 'query', required: false,
    description: 'Only the newest N entries (with since: the oldest N newer than it, and more: true when some were left). Missing, non-numeric or above the maximum (max(200, 30 days / interval + 5)) means the maximum.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  since: {
    name: 'since', in: 'query', required: false,
    description: 'Ours: only entries strictly newer than this RFC 3339 time (incremental sync between our nodes).',
    schema: { type: 'string', format: 'date-time' },
  },
  format: {
    name: 'format', in: 'query', required: false,
    description: 'Ours: cols answers the page as application/vnd.jobmonitor.history-page (the samples as compact columns, the rest as JSON, gzipped; docs/clusters.md), for peers of ours that saw cols in node.jobmonitor.features. Anything else: JSON.',
    schema: { type: 'string' },
  },
  target: { name: 'target', in: 'path', required: true, description: 'A configured target id.', schema: { type: 'string' } },
  label: { name: 'label', in: 'query', required: false, description: "Replaces the badge's label.", schema: { type: 'string', maxLength: 64 } },
  kind: { name: 'kind', in: 'query', required: false, description: 'status (default) or uptime.', schema: { type: 'string', enum: ['status', 'uptime'] } },
  incidentLimit: { name: 'limit', in: 'query', required: false, description: 'At most this many resolved incidents (newest), 1000 at most.', schema: { type: 'string', pattern: '^[0-9]+$' } },
};

const param = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

const TAGS = [
  { name: 'node', description: "This node, in the original's format." },
  { name: 'legacy', description: "The original's pre-cluster routes." },
  { name: 'cluster', description: 'This node and its peers.' },
  { name: 'operations', description: 'Health, metrics, incidents, badges, this document.' },
];

/** Builds operations for one node's key rule. */
interface Ops {
  /** Needs the key when one is set: 401 and 429 answers are documented. */
  api(op: Operation): Operation;
  /** Open even with a key when `open`, else as api(). */
  keyed(open: boolean, op: Operation): Operation;
}

function ops(opts: OpenApiOptions): Ops {
  const keyed = (open: boolean, op: Operation): Operation => {
    if (!opts.apiKey) return op;
    if (open) return { ...op, security: [] };
    const responses = op['responses'] as Record<string, unknown>;
    return {
      ...op,
      responses: {
        ...responses,
        '401': error('Missing or wrong bearer token.'),
        '429': error('Too many failed authentication attempts from this address (Retry-After is set).'),
      },
    };
  };
  return { keyed, api: (op) => keyed(false, op) };
}

const get = (op: Operation) => ({ get: op });
const badRequest = error('A query parameter is invalid.');

function info(opts: OpenApiOptions): Record<string, unknown> {
  return {
    title: 'JobMonitor',
    version: opts.version,
    description:
      'Watches systemd units and serves their state and history. /api/node/*, /api/cluster and the legacy /api/{status,history,uptime} ' +
      'are wire-compatible with the original Go JobMonitor; fields marked "Ours" are additions an original node ignores. ' +
      (opts.apiKey
        ? 'This node has an api_key: send `Authorization: Bearer <api_key>` on every route unless it says otherwise.'
        : 'This node has no api_key: every route is open.'),
    license: { name: 'MIT', identifier: 'MIT' },
  };
}

/** Tag node: this node in the original's format. */
function nodePaths({ api }: Ops): Record<string, unknown> {
  return {
    '/api/node/status': get(api({
      tags: ['node'], operationId: 'nodeStatus', summary: 'The latest sample, probe and targets of this node.',
      description: 'Checks of units that are not ok carry sub_state, result, since and restarts; with journal_lines > 0 also their last journal lines.',
      responses: { '200': json(ref('NodeStatus'), 'This node now.') },
    })),
    '/api/node/history': get(api({
      tags: ['node'], operationId: 'nodeHistory', summary: 'Samples and probes in the range, oldest first.',
      parameters: [param('range'), param('limit'), param('since'), param('format')],
      responses: { '200': json(ref('NodeHistory'), 'History of this node.'), '400': badRequest },
    })),
    '/api/node/uptime': get(api({
      tags: ['node'], operationId: 'nodeUptime', summary: 'Uptime per target in the range.',
      parameters: [param('range')],
      responses: { '200': json(ref('NodeUptime'), 'Uptime of this node\'s targets.') },
    })),
  };
}

/** Tag legacy: the original's pre-cluster routes. */
function legacyPaths({ api }: Ops): Record<string, unknown> {
  return {
    '/api/status': get(api({
      tags: ['legacy'], operationId: 'legacyStatus', summary: 'The latest sample.',
      responses: { '200': json({ oneOf: [ref('StatusEntry'), ref('EmptyStatus')] }, 'The latest StatusEntry, or {"checks":[],"timestamp":null} before the first.') },
    })),
    '/api/history': get(api({
      tags: ['legacy'], operationId: 'legacyHistory', summary: 'Samples in the range, oldest first.',
      parameters: [param('range'), param('limit')],
      responses: { '200': json({ type: 'array', items: ref('StatusEntry') }, 'Samples.') },
    })),
    '/api/uptime': get(api({
      tags: ['legacy'], operationId: 'legacyUptime', summary: 'Uptime per target in the range.',
      parameters: [param('range')],
      responses: { '200': json({ type: 'array', items: ref('ServiceUptime') }, 'Uptime rows, sorted by id.') },
    })),
  };
}

/** Tag cluster: this node and its peers. */
function clusterPaths({ api }: Ops): Record<string, unknown> {
  return {
    '/api/cluster': get(api({
      tags: ['cluster'], operationId: 'cluster', summary: 'This node and every enabled peer, from cache.',
      parameters: [param('range')],
      responses: { '200': json(ref('Cluster'), 'Snapshots, this node first.') },
    })),
    ...feedPaths(api, param),
  };
}

/** Tag operations: incidents and badges. */
function incidentAndBadgePaths({ api, keyed }: Ops, opts: OpenApiOptions): Record<string, unknown> {
  const badgeParams = [param('target'), param('label')];
  const svg = { description: 'The badge.', content: { 'image/svg+xml': { schema: { type: 'string' } } } };
  const unknownTarget = error('No configured target has this id.');
  return {
    '/api/incidents': get(api({
      tags: ['operations'], operationId: 'incidents', summary: 'Open incidents, then those resolved in the range.',
      parameters: [param('strictRange'), param('incidentLimit')],
      responses: { '200': json(ref('IncidentList'), 'Incidents of this node.'), '400': badRequest },
    })),
    '/api/badge/{target}/status.svg': get(keyed(opts.badgesPublic, {
      tags: ['operations'], operationId: 'statusBadge', summary: "SVG badge of the unit's state.",
      parameters: badgeParams,
      responses: { '200': svg, '400': badRequest, '404': unknownTarget },
    })),
    '/api/badge/{target}/uptime.svg': get(keyed(opts.badgesPublic, {
      tags: ['operations'], operationId: 'uptimeBadge', summary: "SVG badge of the unit's uptime in the range.",
      parameters: [...badgeParams, param('strictRange')],
      responses: { '200': svg, '400': badRequest, '404': unknownTarget },
    })),
    '/api/badge/{target}/shields.json': get(keyed(opts.badgesPublic, {
      tags: ['operations'], operationId: 'shieldsBadge', summary: 'shields.io endpoint JSON for a status or uptime badge.',
      parameters: [...badgeParams, param('kind'), param('strictRange')],
      responses: { '200': json(ref('ShieldsEndpoint'), 'For https://img.shields.io/endpoint?url=...'), '400': badRequest, '404': unknownTarget },
    })),
  };
}

/** Tag operations: this document, health, metrics and service discovery. */
function operationsPaths({ api, keyed }: Ops, opts: OpenApiOptions): Record<string, unknown> {
  return {
    '/api/openapi.json': get(api({
      tags: ['operations'], operationId: 'openapi', summary: 'This document.',
      responses: { '200': json(ref('OpenApiDocument'), 'OpenAPI 3.1.') },
    })),
    '/healthz': get(keyed(true, {
      tags: ['operations'], operationId: 'health', summary: 'Liveness of sampling; never needs the key.',
      responses: { '200': json(ref('Health'), 'Sampling is alive.'), '503': json(ref('Health'), 'The last sample is older than two intervals and a minute.') },
    })),
    '/metrics': get(keyed(opts.metricsPublic, {
      tags: ['operations'], operationId: 'metrics', summary: 'Prometheus metrics (text exposition format 0.0.4).',
      responses: { '200': { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
    })),
    '/api/prometheus/targets': get(api({
      tags: ['operations'], operationId: 'prometheusTargets', summary: 'Prometheus HTTP service discovery: this node and its enabled peers as scrape targets.',
      description: 'For `http_sd_configs`. This node is addressed by the Host it was asked at, each peer by its base_url; labels: jobmonitor_node, jobmonitor_node_name, jobmonitor_source (local or peer).',
      responses: { '200': json({ type: 'array', items: ref('PrometheusTargetGroup') }, 'Target groups, this node first.'), '400': error('The Host header is missing or not a host[:port].') },
    })),
  };
}

/**
 * The document; `apiKey` etc. say which routes this node protects. Paths are
 * built per tag (a new route goes into its tag's function), components from
 * the valibot schemas (openapi-schemas.ts).
 */
export function openApiDocument(opts: OpenApiOptions): Record<string, unknown> {
  const o = ops(opts);
  const paths: Record<string, unknown> = {
    ...nodePaths(o),
    ...legacyPaths(o),
    ...clusterPaths(o),
    ...incidentAndBadgePaths(o, opts),
    ...operationsPaths(o, opts),
  };
  for (const path of opts.absent ?? []) delete paths[path];

  return {
    openapi: '3.1.0',
    info: info(opts),
    servers: [{ url: '/' }],
    ...(opts.apiKey ? { security: [{ bearer: [] }] } : {}),
    tags: TAGS,
    paths,
    components: {
      schemas: componentSchemas(),
      parameters: PARAMS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The api_key of this node\'s config.yaml.' } },
    },
  };
}
