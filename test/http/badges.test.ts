import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusBadge, uptimeBadge, uptimeColor } from '../../src/http/badge.js';
import { BADGE_COLORS, escapeXml, renderBadgeSvg } from '../../src/http/badge-svg.js';
import { NOW, serveFixture } from './ops-fixture.js';

/** The visible texts of a badge (the second <text> of each pair), entities decoded. */
function texts(svg: string): string[] {
  const all = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  const decode = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return all.filter((_, i) => i % 2 === 1).map(decode);
}

/** Only our own tags: nothing from the data became markup. */
function tags(svg: string): string[] {
  return [...new Set([...svg.matchAll(/<\/?([a-zA-Z]+)/g)].map((m) => m[1]!))].sort();
}
const OUR_TAGS = ['g', 'rect', 'svg', 'text', 'title'];

test('status.svg shows the unit state in its colour', async () => {
  const s = await serveFixture();
  try {
    const web = await s.get('/api/badge/web/status.svg');
    assert.equal(web.status, 200);
    assert.match(web.type, /^image\/svg\+xml/);
    assert.deepEqual(texts(web.text), ['Web', 'active']);
    assert.ok(web.text.includes(`fill="${BADGE_COLORS.brightgreen}"`));
    const db = await s.get('/api/badge/db/status.svg');
    assert.deepEqual(texts(db.text), ['Database', 'failed']);
    assert.ok(db.text.includes(`fill="${BADGE_COLORS.red}"`));
    const odd = await s.get('/api/badge/odd/status.svg');
    assert.equal(texts(odd.text)[1], 'activating');
    assert.ok(odd.text.includes(`fill="${BADGE_COLORS.yellow}"`));
    const never = await s.get('/api/badge/new/status.svg');
    assert.deepEqual(texts(never.text), ['New', 'no data']);
  } finally {
    await s.close();
  }
});

test('a target name with markup is escaped text, never markup', async () => {
  const s = await serveFixture();
  try {
    const r = await s.get('/api/badge/odd/status.svg');
    assert.deepEqual(tags(r.text), OUR_TAGS);
    assert.ok(r.text.includes('&lt;b&gt;&quot;Odd&quot; &amp; co&lt;/b&gt;'));
    assert.equal(texts(r.text)[0], '<b>"Odd" & co</b>');
    const labelled = await s.get(`/api/badge/web/status.svg?label=${encodeURIComponent('<script>alert(1)</script>')}`);
    assert.deepEqual(tags(labelled.text), OUR_TAGS);
    assert.equal(texts(labelled.text)[0], '<script>alert(1)</script>');
  } finally {
    await s.close();
  }
});

test('uptime.svg and shields.json: the uptime of the range, coloured by level', async () => {
  const s = await serveFixture();
  try {
    const uptime = (await s.get('/api/node/uptime?range=30d')).json() as { services: { id: string; uptime_percent: number }[] };
    const db = uptime.services.find((u) => u.id === 'db')!.uptime_percent;
    assert.ok(db < 99.9);
    const svg = await s.get('/api/badge/db/uptime.svg?range=30d');
    assert.deepEqual(texts(svg.text), ['Database 30d', `${db}%`]);
    assert.ok(svg.text.includes(`fill="${BADGE_COLORS[uptimeColor(db)]}"`));
    const web = await s.get('/api/badge/web/uptime.svg');
    assert.deepEqual(texts(web.text), ['Web 24h', '100%']);

    const json = await s.get('/api/badge/db/shields.json?kind=uptime&range=30days');
    assert.match(json.type, /application\/json/);
    assert.deepEqual(json.json(), { schemaVersion: 1, label: 'Database 30d', message: `${db}%`, color: uptimeColor(db) });
    assert.deepEqual((await s.get('/api/badge/db/shields.json')).json(), { schemaVersion: 1, label: 'Database', message: 'failed', color: 'red' });
    assert.deepEqual((await s.get('/api/badge/new/shields.json?kind=uptime')).json(), { schemaVersion: 1, label: 'New 24h', message: 'no data', color: 'lightgrey', isError: true });
  } finally {
    await s.close();
  }
});

test('an unknown target is a 404 JSON error; bad parameters are 400', async () => {
  const s = await serveFixture();
  try {
    for (const path of ['/api/badge/nope/status.svg', '/api/badge/nope/uptime.svg', '/api/badge/nope/shields.json']) {
      const r = await s.get(path);
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.json(), { error: { message: 'unknown target "nope"', code: 'unknown_target' } });
    }
    assert.equal((await s.get('/api/badge/web/uptime.svg?range=7d')).status, 400);
    assert.equal((await s.get('/api/badge/web/shields.json?kind=latency')).status, 400);
    assert.equal((await s.get(`/api/badge/web/status.svg?label=${'x'.repeat(65)}`)).status, 400);
  } finally {
    await s.close();
  }
});

test('badges need the api_key like the API, unless badges_public', async () => {
  const keyed = await serveFixture({ apiKey: 'k3y' });
  try {
    assert.equal((await keyed.get('/api/badge/web/status.svg')).status, 401);
    assert.equal((await keyed.get('/api/badge/web/status.svg', { Authorization: 'Bearer k3y' })).status, 200);
  } finally {
    await keyed.close();
  }
  const open = await serveFixture({ apiKey: 'k3y', badgesPublic: true });
  try {
    const r = await open.get('/api/badge/web/status.svg');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal((await open.get('/api/badge/web/shields.json?kind=uptime')).status, 200);
    assert.equal((await open.get('/api/badge/nope/status.svg')).status, 404);
    assert.equal((await open.get('/api/node/status')).status, 401, 'the rest of the API keeps its key');
    assert.equal((await open.get('/api/badge')).status, 401, 'only the badge routes are open');
  } finally {
    await open.close();
  }
});

test('a status badge over an old sample says stale, in grey', async () => {
  const s = await serveFixture({ now: NOW + 60 * 60_000 });
  try {
    assert.deepEqual(texts((await s.get('/api/badge/web/status.svg')).text), ['Web', 'active (stale)']);
    assert.equal((await s.get('/api/badge/web/shields.json')).json().color, 'lightgrey');
  } finally {
    await s.close();
  }
});

test('badge text: XML-unsafe characters escaped, control characters dropped, long text cut', () => {
  assert.equal(escapeXml('a<b>&"\'\u0001\u001f\ud800z'), 'a&lt;b&gt;&amp;&quot;&apos;z');
  const svg = renderBadgeSvg({ label: 'x'.repeat(500), message: 'ok', color: 'green' });
  assert.ok(texts(svg)[0]!.length <= 100);
  assert.deepEqual(uptimeBadge('u', undefined), { label: 'u', message: 'no data', color: 'lightgrey' });
  assert.deepEqual(
    [100, 99.9, 99.5, 97, 92, 50].map(uptimeColor),
    ['brightgreen', 'brightgreen', 'green', 'yellow', 'orange', 'red'],
  );
  assert.equal(statusBadge('s', { id: 's', name: 's', ok: false, state: 'unknown', error: 'systemctl not found in PATH' }, false).color, 'lightgrey');
  // Wider text makes a wider badge.
  const width = (t: string) => Number(/width="(\d+)"/.exec(renderBadgeSvg({ label: 'a', message: t, color: 'red' }))![1]);
  assert.ok(width('failed (stale)') > width('ok'));
});
