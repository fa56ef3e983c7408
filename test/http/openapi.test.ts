/**
 * The OpenAPI document against the app itself: every route the app's routers
 * register is documented (and nothing else), and real answers of an app with
 * data validate against the documented schemas (ajv, draft 2020-12).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Router from '@koa/router';
import type Koa from 'koa';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../src/http/openapi-document.js';
import { serveFixture, type Served } from './ops-fixture.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Doc = {
  openapi: string;
  security?: unknown[];
  paths: Record<string, Record<string, { parameters?: { $ref?: string }[]; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { parameters: Record<string, { name: string; in: string; schema: unknown }> };
};

/** Every (METHOD, path) the app's routers register, paths in OpenAPI form (`:target` -> `{target}`). */
function registeredRoutes(app: Koa): string[] {
  const out = new Set<string>();
  for (const mw of app.middleware) {
    const router = (mw as { router?: Router }).router;
    if (router === undefined) continue;
    for (const layer of router.stack) {
      const path = String(layer.path).replace(/:(\w+)/g, '{$1}');
      for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${path}`);
    }
  }
  return [...out].sort();
}

function documentedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
}

function validator(doc: Doc) {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  addFormats(ajv);
  // The document's non-schema parts are not JSON Schema keywords; ajv only follows $refs into components.schemas.
  ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components']);
  ajv.addSchema(doc, 'openapi.json');
  return (path: string, method: string, status: number, mediaType: string, body: unknown): string | undefined => {
    const op = doc.paths[path]?.[method];
    const media = op?.responses[String(status)]?.content?.[mediaType];
    if (media === undefined) return `${method.toUpperCase()} ${path}: status ${status} with ${mediaType} is not documented`;
    const pointer = ['paths', path, method, 'responses', String(status), 'content', mediaType, 'schema'].map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
    const validate = ajv.getSchema(`openapi.json#/${pointer}`);
    if (validate === undefined) return `no schema at ${pointer}`;
    return validate(body) ? undefined : `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`;
  };
}

/** A real request for every documented operation, with parameters filled in. */
const REQUESTS: Record<string, string[]> = {
  '/api/node/status': ['/api/node/status'],
  '/api/node/history': ['/api/node/history', '/api/node/history?range=30d&limit=5', `/api/node/history?since=2026-11-28T11:50:00Z`],
  '/api/node/uptime': ['/api/node/uptime', '/api/node/uptime?range=30d'],
  '/api/status': ['/api/status'],
  '/api/history': ['/api/history?limit=3'],
  '/api/uptime': ['/api/uptime?range=30days'],
  '/api/cluster': ['/api/cluster', '/api/cluster?range=30d'],
  '/api/cluster/summary': ['/api/cluster/summary', '/api/cluster/summary?range=30d'],
  '/api/cluster/node/{id}': ['/api/cluster/node/n1', '/api/cluster/node/b?range=30d'],
  '/api/incidents': ['/api/incidents', '/api/incidents?range=30d&limit=1'],
  '/api/badge/{target}/status.svg': ['/api/badge/web/status.svg', '/api/badge/db/status.svg?label=db'],
  '/api/badge/{target}/uptime.svg': ['/api/badge/db/uptime.svg?range=30d'],
  '/api/badge/{target}/shields.json': ['/api/badge/db/shields.json', '/api/badge/web/shields.json?kind=uptime&range=24h', '/api/badge/new/shields.json?kind=uptime'],
  '/api/openapi.json': ['/api/openapi.json'],
  '/healthz': ['/healthz'],
  '/metrics': ['/metrics'],
  '/api/prometheus/targets': ['/api/prometheus/targets'],
};

/** Error answers that are documented too. */
const ERROR_REQUESTS: [string, string][] = [
  ['/api/node/history', '/api/node/history?since=yesterday'],
  ['/api/incidents', '/api/incidents?range=7d'],
  ['/api/cluster/node/{id}', '/api/cluster/node/nope'],
  ['/api/cluster/summary', '/api/cluster/summary?range=1y'],
  ['/api/badge/{target}/status.svg', '/api/badge/nope/status.svg'],
  ['/api/badge/{target}/uptime.svg', '/api/badge/web/uptime.svg?range=1y'],
  ['/api/badge/{target}/shields.json', '/api/badge/web/shields.json?kind=nope'],
];

async function check(s: Served, doc: Doc, requests: [string, string][], headers: Record<string, string> = {}): Promise<string[]> {
  const validate = validator(doc);
  const problems: string[] = [];
  for (const [path, url] of requests) {
    const r = await s.get(url, headers);
    const mediaType = r.type.split(';')[0]!.trim();
    const body = mediaType === 'application/json' ? r.json() : r.text;
    const problem = validate(path, 'get', r.status, mediaType, body);
    if (problem !== undefined) problems.push(`${url}: ${problem}`);
  }
  return problems;
}

test('every route registered in the app is documented, and every documented route exists', async () => {
  const s = await serveFixture();
  try {
    const doc = (await s.get('/api/openapi.json')).json() as Doc;
    assert.equal(doc.openapi, '3.1.0');
    const registered = registeredRoutes(s.app);
    assert.ok(registered.length >= 14, `found the routers: ${registered.join(', ')}`);
    assert.deepEqual(documentedRoutes(doc), registered);
    assert.deepEqual(Object.keys(REQUESTS).sort(), Object.keys(doc.paths).sort(), 'the test exercises every documented path');
  } finally {
    await s.close();
  }
});

test('an app without metrics or incidents does not document them', async () => {
  const s = await serveFixture({ bare: true });
  try {
    const doc = (await s.get('/api/openapi.json')).json() as Doc;
    assert.deepEqual(documentedRoutes(doc), registeredRoutes(s.app));
    assert.equal(doc.paths['/metrics'], undefined);
    assert.equal(doc.paths['/api/incidents'], undefined);
    assert.equal((await s.get('/metrics')).status, 404);
  } finally {
    await s.close();
  }
});

test('real answers of an app with data validate against their documented schemas', async () => {
  const s = await serveFixture();
  try {
    const doc = (await s.get('/api/openapi.json')).json() as Doc;
    const requests = Object.entries(REQUESTS).flatMap(([path, urls]) => urls.map((u): [string, string] => [path, u]));
    assert.deepEqual(await check(s, doc, requests), []);
    assert.deepEqual(await check(s, doc, ERROR_REQUESTS), []);
    // A rows delta: `since` the rows just read.
    const tag = ((await s.get('/api/cluster/node/n1')).headers.get('etag') ?? '').replace(/"/g, '');
    const delta = await s.get(`/api/cluster/node/n1?since=${tag}`);
    assert.ok(Array.isArray((delta.json() as { changes?: unknown }).changes), 'a delta');
    assert.equal(validator(doc)('/api/cluster/node/{id}', 'get', delta.status, 'application/json', delta.json()), undefined);
    // The answers hold what the schemas describe as optional, so those parts were checked too.
    const status = (await s.get('/api/node/status')).json() as { status: { checks: Record<string, unknown>[] }; connectivity?: unknown };
    const db = status.status.checks.find((c) => c['id'] === 'db')!;
    for (const key of ['sub_state', 'result', 'since', 'restarts', 'duration_ms', 'journal']) assert.ok(key in db, key);
    assert.ok(status.connectivity !== undefined);
    const cluster = (await s.get('/api/cluster')).json() as { nodes: { stale?: boolean; service_timelines?: unknown[] }[] };
    assert.equal(cluster.nodes.length, 3);
    assert.equal(cluster.nodes[1]?.stale, true);
  } finally {
    await s.close();
  }
});

test('with an api_key the document says so; 401 answers and open routes validate', async () => {
  const s = await serveFixture({ apiKey: 'k3y', badgesPublic: true });
  try {
    const auth = { Authorization: 'Bearer k3y' };
    const doc = (await s.get('/api/openapi.json', auth)).json() as Doc;
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    assert.deepEqual(doc.paths['/healthz']?.['get']?.security, []);
    assert.deepEqual(doc.paths['/api/badge/{target}/status.svg']?.['get']?.security, []);
    assert.equal(doc.paths['/metrics']?.['get']?.security, undefined, 'metrics need the key here');
    assert.deepEqual(await check(s, doc, [
      ['/api/node/status', '/api/node/status'],
      ['/metrics', '/metrics'],
      ['/api/badge/{target}/status.svg', '/api/badge/web/status.svg'],
      ['/healthz', '/healthz'],
    ]), []);
    assert.deepEqual(await check(s, doc, [['/api/node/status', '/api/node/status'], ['/metrics', '/metrics']], auth), []);
  } finally {
    await s.close();
  }
});

test('the schemas are closed: an undocumented field in an answer fails validation', () => {
  const doc = openApiDocument({ version: 't', apiKey: false, metricsPublic: false, badgesPublic: false }) as Doc;
  const validate = validator(doc);
  const entry = { timestamp: '2026-11-28T12:00:00Z', checks: [{ id: 'a', name: 'A', ok: true }] };
  assert.equal(validate('/api/status', 'get', 200, 'application/json', entry), undefined);
  assert.match(validate('/api/status', 'get', 200, 'application/json', { ...entry, checks: [{ id: 'a', name: 'A', ok: true, secret: 1 }] }) ?? '', /additional properties/);
  assert.match(validate('/api/status', 'get', 200, 'application/json', { ...entry, timestamp: 'yesterday' }) ?? '', /date-time/);
});
