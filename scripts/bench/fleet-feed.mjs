/**
 * The compact feed's half of the "fleet" section, from the server's side:
 * what the dashboard downloads (summary first, a node's rows on demand) and
 * what a background poll after one new sample on every node moves, next to
 * the original-shape /api/cluster the dashboard read before.
 */
import { getRaw, median, sleep } from './lib.mjs';

const GZIP = { 'accept-encoding': 'gzip' };

async function get(url, headers = {}) {
  const r = await getRaw(url, { ...GZIP, ...headers }, { decoded: true, timeoutMs: 120_000 });
  if (r.status !== 200 && r.status !== 304) throw new Error(`${url} answered ${r.status}`);
  return r;
}

async function json(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

/** Sequential GETs of one URL: p50 time to the last byte, and the last body's gzip / JSON size. */
async function sequential(url, n) {
  const ms = [];
  let last;
  for (let i = 0; i < n; i++) {
    last = await get(url);
    ms.push(last.ms);
  }
  return { p50: median(ms), wire: last.bytes, json: last.decodedBytes };
}

/**
 * Everything the dashboard can load for a range: the summary and every
 * node's rows, with their ETags (the starting point of a later poll).
 */
export async function fullLoad(origin, ids, range = '24h') {
  const summary = await get(`${origin}/api/cluster/summary?range=${range}`);
  const rows = [];
  for (const id of ids) rows.push({ id, ...(await get(`${origin}/api/cluster/node/${encodeURIComponent(id)}?range=${range}`)) });
  const statusAt = new Map((await json(`${origin}/api/cluster/summary?range=${range}`)).nodes.map((n) => [n.node.id, n.status_at]));
  return {
    summary,
    rows,
    statusAt,
    wire: summary.bytes + rows.reduce((n, r) => n + r.bytes, 0),
    json: summary.decodedBytes + rows.reduce((n, r) => n + r.decodedBytes, 0),
  };
}

/** Request times and sizes of the feed (p50 of 7 sequential requests). */
export async function feedTimes(origin, someId) {
  return {
    summary24: await sequential(`${origin}/api/cluster/summary?range=24h`, 7),
    summary30: await sequential(`${origin}/api/cluster/summary?range=30d`, 7),
    rows24: await sequential(`${origin}/api/cluster/node/${encodeURIComponent(someId)}?range=24h`, 7),
    rows30: await sequential(`${origin}/api/cluster/node/${encodeURIComponent(someId)}?range=30d`, 7),
  };
}

/**
 * Waits until every node shows a sample newer than in `load`, then polls as
 * the dashboard does (If-None-Match with the ETags of `load`): the summary
 * alone (the default view: every node folded) and the summary with every
 * node's rows (every node open): as deltas since the rows held (`since`, as
 * the dashboard asks), and whole (If-None-Match alone, as it asked before).
 * Bytes on the wire, gzip.
 */
export async function pollAfterSample(origin, load, { timeoutMs, log = () => {} }) {
  const t0 = performance.now();
  for (;;) {
    const nodes = (await json(`${origin}/api/cluster/summary?range=24h`)).nodes;
    const moved = nodes.filter((n) => n.status_at !== load.statusAt.get(n.node.id)).length;
    if (moved === nodes.length) break;
    if (performance.now() - t0 > timeoutMs) return null;
    log(`poll: waiting for a new sample on every node (${moved}/${nodes.length})`);
    await sleep(5000);
  }
  const summary = await get(`${origin}/api/cluster/summary?range=24h`, { 'if-none-match': load.summary.etag });
  let rows = 0;
  let deltas = 0;
  let unchanged = 0;
  for (const r of load.rows) {
    const url = `${origin}/api/cluster/node/${encodeURIComponent(r.id)}?range=24h`;
    // As the dashboard asks: only what changed since the rows it holds.
    const tag = (r.etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '').replace(/-gz$/, '');
    deltas += (await get(`${url}&since=${encodeURIComponent(tag)}`, { 'if-none-match': r.etag })).bytes;
    // As the dashboard asked before deltas: the whole rows of every node that changed.
    const again = await get(url, { 'if-none-match': r.etag });
    rows += again.bytes;
    if (again.status === 304) unchanged++;
  }
  const composition = await deltaComposition(origin, load.rows[load.rows.length - 1]);
  return { folded: summary.bytes, open: summary.bytes + deltas, openWhole: summary.bytes + rows, unchanged, composition };
}

/**
 * What one node's delta is made of: its JSON size, and the gzip size of the
 * whole delta, of its `every` and of its `changes` alone (the same delta as
 * above, kept by the server for that base and version).
 */
async function deltaComposition(origin, r) {
  const { gzipSync } = await import('node:zlib');
  const tag = (r.etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '').replace(/-gz$/, '');
  const body = await (await fetch(`${origin}/api/cluster/node/${encodeURIComponent(r.id)}?range=24h&since=${encodeURIComponent(tag)}`)).text();
  const d = JSON.parse(body);
  const gz = (v) => gzipSync(JSON.stringify(v)).length;
  const keys = new Map();
  for (const [, fields] of d.changes ?? []) {
    for (const [k, v] of Object.entries(fields)) {
      for (const s of v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((x) => `${k}.${x}`) : [k]) keys.set(s, (keys.get(s) ?? 0) + 1);
    }
  }
  return {
    json: body.length,
    gzip: gzipSync(body).length,
    every: d.every === undefined ? 0 : gz(d.every),
    changes: gz(d.changes ?? []),
    changed: (d.changes ?? []).length,
    keys: [...keys].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, n]) => `${k} x${n}`).join(', '),
    everyKeys: d.every === undefined ? '' : JSON.stringify(d.every),
  };
}
