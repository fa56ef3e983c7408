/**
 * The fast lane for kept answers (src/http/kept-lane.ts): a repeated poll is
 * answered before Koa and the routes, with the very status, headers and bytes the
 * full chain sends, and never where the full chain would answer otherwise
 * (new data, an evicted answer, the key rule and its rate limit, CORS, other
 * methods).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { AnswerCache } from '../../src/http/answer-cache.js';
import { jsonBytes } from '../../src/http/answer.js';
import { createAuthFailures } from '../../src/http/auth.js';
import { keptLane } from '../../src/http/kept-lane.js';
import { sendAnswer } from '../../src/http/send-answer.js';
import { answerFixture, rawGet, type RawAnswer } from './answer-fixture.js';

/** Headers as sent (sorted: their order carries no meaning), without Date (it moves with the clock). */
function headersOf(a: RawAnswer): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.rawHeaders.length; i += 2) {
    if (a.rawHeaders[i]!.toLowerCase() !== 'date') out.push(`${a.rawHeaders[i]}: ${a.rawHeaders[i + 1]}`);
  }
  return out.sort();
}

const KEPT = [
  '/api/node/status', '/api/node/uptime?range=30d', '/api/status', '/api/uptime', '/api/cluster?range=24h',
  '/api/incidents?range=24h', '/api/badge/unit-0/status.svg', '/api/badge/unit-1/shields.json?kind=uptime',
  '/api/node/history?range=24h&limit=7', '/api/history?range=24h',
];

test('a repeated poll gets the same status, headers and bytes as the full chain, in every form', async () => {
  const fx = await answerFixture();
  try {
    for (const path of KEPT) {
      // Made once: the kept answer (histories stream the first time) and its gzip form.
      for (let i = 0; i < 2; i++) await rawGet(fx.url, path, { 'Accept-Encoding': 'gzip' });
      const etag = String((await rawGet(fx.url, path)).headers.etag);
      const forms: [string, Record<string, string>, string][] = [
        ['identity', {}, 'GET'],
        ['gzip', { 'Accept-Encoding': 'gzip, deflate, br' }, 'GET'],
        ['304', { 'If-None-Match': etag }, 'GET'],
        ['304 for the gzip form', { 'Accept-Encoding': 'gzip', 'If-None-Match': `W/${etag}` }, 'GET'],
        ['HEAD', { 'Accept-Encoding': 'gzip' }, 'HEAD'],
      ];
      for (const [form, headers, method] of forms) {
        // With no CORS origin configured, an Origin header changes nothing in the answer, but it always takes the full chain.
        const chain = await rawGet(fx.url, path, { ...headers, Origin: 'https://elsewhere.example' }, method);
        const lane = await rawGet(fx.url, path, headers, method);
        assert.equal(lane.status, chain.status, `${path} ${form}: status`);
        assert.deepEqual(headersOf(lane), headersOf(chain), `${path} ${form}: headers`);
        assert.ok(lane.body.equals(chain.body), `${path} ${form}: body`);
      }
    }
    assert.deepEqual(fx.errors, []);
  } finally {
    await fx.close();
  }
});

test('with an api_key a learnt URL still needs the key: none or a wrong one is 401, and after 20 wrong keys the right one is 429', async () => {
  const fx = await answerFixture({ apiKey: 's3cret' });
  const key = { Authorization: 'Bearer s3cret' };
  try {
    for (let i = 0; i < 3; i++) assert.equal((await rawGet(fx.url, '/api/node/status', key)).status, 200);
    assert.equal((await rawGet(fx.url, '/api/node/status')).status, 401);
    assert.equal((await rawGet(fx.url, '/api/node/status', { Authorization: 'Basic czNjcmV0' })).status, 401);
    for (let i = 0; i < 20; i++) assert.equal((await rawGet(fx.url, '/api/node/status', { Authorization: 'Bearer guess' })).status, 401);
    const limited = await rawGet(fx.url, '/api/node/status', key);
    assert.equal(limited.status, 429, 'the wrong-key budget holds for the right key too');
    assert.ok(limited.headers['retry-after'] !== undefined);
  } finally {
    await fx.close();
  }
});

test('a learnt URL keeps CORS for an allowed origin and 405 for other methods', async () => {
  const fx = await answerFixture({ corsOrigins: ['https://dash.example'] });
  try {
    for (let i = 0; i < 2; i++) await rawGet(fx.url, '/api/node/status');
    const cross = await rawGet(fx.url, '/api/node/status', { Origin: 'https://dash.example' });
    assert.equal(cross.status, 200);
    assert.equal(cross.headers['access-control-allow-origin'], 'https://dash.example');
    assert.match(String(cross.headers.vary), /Origin/);
    const post = await rawGet(fx.url, '/api/node/status', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  } finally {
    await fx.close();
  }
});

/** A bare app: the lane, then one route that counts its calls and serves a kept answer per path at the current stamp. */
async function laneApp() {
  const cache = new AnswerCache({ maxEntries: 1 });
  const state = { stamp: 'a', reached: 0, changeWhileAnswering: false };
  const app = new Koa();
  keptLane(app, { cache, stamp: () => state.stamp, failures: createAuthFailures(), headers: [] });
  app.use(async (ctx) => {
    state.reached++;
    const answer = cache.answer(ctx.path, state.stamp, () => jsonBytes({ path: ctx.path, stamp: state.stamp, pad: 'x'.repeat(4096) }));
    if (state.changeWhileAnswering) state.stamp += '+'; // new data arrives while this answer is being sent
    await sendAnswer(ctx, answer, cache);
  });
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('the lane answers a repeated poll without the routes, and hands back on new data, an evicted answer or a gzip form not made yet', async () => {
  const s = await laneApp();
  const stampOf = async (path: string, headers: Record<string, string> = {}) => {
    const a = await rawGet(s.url, path, headers);
    assert.equal(a.status, 200);
    return a.headers['content-encoding'] === 'gzip' ? 'gzip' : (JSON.parse(a.body.toString()) as { stamp: string }).stamp;
  };
  try {
    assert.equal(await stampOf('/api/a'), 'a');
    assert.equal(await stampOf('/api/a'), 'a');
    assert.equal(s.state.reached, 1, 'the second poll did not reach the route');
    await stampOf('/api/a', { 'Accept-Encoding': 'gzip' });
    assert.equal(s.state.reached, 2, 'the gzip form is made by the full chain');
    assert.equal(await stampOf('/api/a', { 'Accept-Encoding': 'gzip' }), 'gzip');
    assert.equal(s.state.reached, 2);

    s.state.stamp = 'b';
    assert.equal(await stampOf('/api/a'), 'b', 'new data: a new answer');
    assert.equal(s.state.reached, 3);
    await stampOf('/api/other'); // the cache keeps one answer: /api/a is evicted
    assert.equal(await stampOf('/api/a'), 'b');
    assert.equal(s.state.reached, 5, 'an evicted answer is built again by the route');

    s.state.changeWhileAnswering = true;
    await stampOf('/api/c');
    s.state.changeWhileAnswering = false;
    await stampOf('/api/c');
    assert.equal(s.state.reached, 7, 'an answer served while its data moved is not remembered');

    for (let i = 0; i < 2; i++) await stampOf('/outside');
    assert.equal(s.state.reached, 9, 'only /api/ URLs are learnt (/metrics has its own key rule and versions)');
  } finally {
    await s.close();
  }
});
