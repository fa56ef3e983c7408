/**
 * Section "fleet": one dashboard over a fleet of real daemons of ours on
 * 127.0.0.1 (default 5 nodes x 500 units; `-- fleet --nodes 20` for the
 * 20-node fleet of issue 11). Every node holds 30 days of generated history
 * at 5 minutes (scripts/gen-history.mjs) and checks its 500 units through
 * the fake systemctl; node-01 lists all the others as peers.
 *
 * Measured: the initial sync as the aggregator's /api/cluster shows it
 * (every peer with its current status, every peer with its last 24 h), then
 * /api/cluster 24h and 30d one request at a time and with 10 concurrent
 * clients, body sizes (gzip on the wire / JSON), the aggregator's RSS, and
 * the dashboard in Debian's chromium through playwright-core (first full
 * render, range toggle, filter keystroke, scroll frames, longest main-thread
 * task during a background poll, DOM nodes in all shadow roots, JS heap).
 * Baselines are the figures issue 11 recorded for the dashboard before the
 * fleet view, on the same machine: they were not re-run here (that code is gone).
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, createReport, dist, fmt, getRaw, loadAverage, median, percentile, procTimes, rssOf, sleep, startEnv, startFlags, until } from './lib.mjs';
import { scratch } from './data.mjs';
import { benchTargets, generateHistory } from '../gen-history.mjs';
import { buildUi } from '../build-ui.mjs';
import { launchChromium, measureRender } from '../ui-preview.mjs';
import { browserFigures } from './fleet-browser.mjs';
import { feedTimes, fullLoad, pollAfterSample } from './fleet-feed.mjs';

const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');
const INTERVAL_MINUTES = 5;
/** Issue 11's figures before the fleet view (5 nodes / 20 nodes), shown as the baseline. */
const BEFORE = {
  5: { sync24: 76_000, syncStatus: 4_000, render: 1300, toggle: 1000, keystroke: 36, frame: 17, dom: 129_000, p50_24: 400, p50_30: 580, c50: 5100, c99: 8600, rssIdle: 342, rssLoad: 1024, body24: 1.6 * 2 ** 20 },
  20: { sync24: 301_000, syncStatus: 204_000, render: 3600, toggle: 3600, keystroke: 126, frame: 75, dom: 502_000, p50_24: 1600, p50_30: 2500, c50: 24_000, c99: 43_000, rssIdle: 563, rssLoad: 2560, body24: 6.1 * 2 ** 20 },
};

function parseArgs(argv) {
  const at = argv.indexOf('--nodes');
  const nodes = at >= 0 ? Number(argv[at + 1]) : 5;
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 40) throw new Error(`--nodes must be a whole number from 2 to 40, got ${argv[at + 1]}`);
  // --sync: only the initial sync, twice in one run: JSON pages (peer_compact_wire: false), then compact pages.
  // --sync-cols: only the compact run (the JSON one takes over 20 minutes at 20 nodes).
  // --quick: /api/cluster asked twice each range and no 10-client run (the dashboard's figures while iterating).
  return { nodes, syncOnly: argv.includes('--sync') || argv.includes('--sync-cols'), jsonToo: !argv.includes('--sync-cols'), quick: argv.includes('--quick') };
}

/** Starts one daemon of the fleet on a copy of the generated history. */
async function startNode(startDaemonProcess, { index, history, peers = [], units, extra = {}, tag = '' }) {
  const id = `node-${String(index + 1).padStart(2, '0')}`;
  const dir = scratch(`fleet-${id}${tag}`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  cpSync(FAKE, join(dir, 'bin', 'systemctl'));
  cpSync(history, join(dir, 'data'), { recursive: true });
  const targets = benchTargets(units).map(({ id: tid, name, service }) => ({ id: tid, name, service, timeout_seconds: 30 }));
  // Started as `npm start` starts the daemon: the node flags and environment of package.json's start script.
  const d = await startDaemonProcess({
    dir,
    nodeArgs: startFlags(ROOT),
    env: startEnv(ROOT),
    pathPrepend: [join(dir, 'bin')],
    config: {
      node_id: id,
      node_name: `Node ${String(index + 1).padStart(2, '0')}`,
      interval_minutes: INTERVAL_MINUTES,
      data_directory: 'data',
      retention_days: 31,
      peer_refresh_seconds: 30,
      targets,
      peers: peers.map((p) => ({ id: p.id, name: p.name, base_url: p.url })),
      ...extra,
    },
  });
  return { ...d, id, name: `Node ${String(index + 1).padStart(2, '0')}` };
}

/**
 * The aggregator's view of its peers during the initial sync: when each shows its status, its last 24 h, and
 * all its days (no longer `syncing`); /healthz answer times meanwhile (the main thread's share of the work).
 */
async function watchSync(main, peerIds, { timeoutMs, log }) {
  const t0 = performance.now();
  const status = new Map();
  const day = new Map();
  const all30 = new Map();
  const slots = (24 * 60) / INTERVAL_MINUTES;
  const health = [];
  let watching = true;
  const healthLoop = (async () => {
    while (watching) {
      const r = await getRaw(`${main.url}/healthz`, {}, { timeoutMs: 60_000 }).catch(() => undefined);
      if (r !== undefined) health.push(r.ms);
      await sleep(250);
    }
  })();
  let zeroRed = 0;
  while (performance.now() - t0 < timeoutMs && all30.size < peerIds.length) {
    const r = await main.get('/api/cluster?range=24h').catch(() => null);
    if (r && r.status === 200) {
      const body = r.body;
      const now = performance.now() - t0;
      for (const n of body?.nodes ?? []) {
        const id = n.node?.id;
        if (!peerIds.includes(id)) continue;
        if (!status.has(id) && (n.status?.checks?.length ?? 0) > 0) status.set(id, now);
        const full = (n.services ?? []).length > 0 && n.services.every((s) => s.total_checks + s.missing_slots >= slots * 0.9 && s.total_checks >= slots * 0.85);
        if (!day.has(id) && full) day.set(id, now);
        if (!all30.has(id) && status.has(id) && n.syncing !== true && n.stale === false) all30.set(id, now);
        // What issue 11 saw: a peer shown with services at 0 % while not marked syncing.
        if (n.syncing !== true && (n.services ?? []).length > 0 && n.services.every((s) => s.uptime_percent === 0)) zeroRed++;
      }
      log(`sync: ${status.size}/${peerIds.length} peers with status, ${day.size} with 24 h, ${all30.size} with all days (${fmt.s(now)})`);
    }
    await sleep(2000);
  }
  watching = false;
  await healthLoop;
  const all = (m) => (m.size === peerIds.length ? Math.max(...m.values()) : NaN);
  return { statusMs: all(status), dayMs: all(day), allMs: all(all30), healthP50: median(health), healthMax: Math.max(...health), zeroRed };
}

/** The initial sync of `peers` by a new aggregator with `extra` config; stopped and removed after. */
async function syncRun(startDaemonProcess, { peers, history, units, extra, tag, timeoutMs, log }) {
  const main = await startNode(startDaemonProcess, { index: 0, history, peers, units, extra, tag });
  try {
    const cpu0 = procTimes(main.child.pid);
    const sync = await watchSync(main, peers.map((p) => p.id), { timeoutMs, log });
    const cpu1 = procTimes(main.child.pid);
    return { ...sync, cpuMs: cpu1.utime + cpu1.stime - cpu0.utime - cpu0.stime, rss: rssOf(main.child.pid) };
  } finally {
    await main.stop().catch(() => undefined);
    rmSync(main.dir, { recursive: true, force: true });
  }
}

/** `--sync`: the initial sync read as JSON pages and as compact pages, by two aggregators in turn, against the same peers. */
async function syncComparison(report, startDaemonProcess, { peers, history, units, nodes, jsonToo, log }) {
  const timeoutMs = nodes * 60_000 + 180_000;
  if (jsonToo) log('initial sync with JSON pages (peer_compact_wire: false)');
  const skipped = { statusMs: NaN, dayMs: NaN, allMs: NaN, cpuMs: NaN, healthP50: NaN, healthMax: NaN, rss: NaN, zeroRed: NaN };
  const json = jsonToo ? await syncRun(startDaemonProcess, { peers, history, units, extra: { peer_compact_wire: false }, tag: '-json', timeoutMs, log }) : skipped;
  log('initial sync with compact pages (the default)');
  const cols = await syncRun(startDaemonProcess, { peers, history, units, extra: {}, tag: '-cols', timeoutMs, log });
  const row = (what, key, target, limit) => report.row(what, fmt.s(cols[key]), `${fmt.s(json[key])} (JSON)`, json[key] / cols[key], target, limit === undefined ? undefined : cols[key] < limit);
  row('initial sync: every peer shows its status', 'statusMs', '< 15 s', 15_000);
  row('initial sync: every peer shows its last 24 h', 'dayMs', '< 60 s', 60_000);
  row('initial sync: every peer has all 30 days (not syncing)', 'allMs', '< 120 s', 120_000);
  report.row('  aggregator CPU during the sync (all threads)', fmt.s(cols.cpuMs), `${fmt.s(json.cpuMs)} (JSON)`, json.cpuMs / cols.cpuMs);
  report.row('  /healthz during the sync: p50 / max', `${fmt.ms(cols.healthP50)} / ${fmt.ms(cols.healthMax)}`, `${fmt.ms(json.healthP50)} / ${fmt.ms(json.healthMax)} (JSON)`);
  report.row('  aggregator RSS after the sync', fmt.bytes(cols.rss), `${fmt.bytes(json.rss)} (JSON)`);
  report.row('  peers shown at 0 % while not syncing (polls)', String(cols.zeroRed), `${json.zeroRed} (JSON)`, undefined, '0', cols.zeroRed === 0);
  report.note(`${jsonToo ? `--sync: two aggregators in turn against the same ${nodes - 1} running peers, each from an empty data directory: first reading JSON pages (peer_compact_wire: false), then compact pages (the default).` : `--sync-cols: one aggregator reading compact pages (the default) from ${nodes - 1} running peers, from an empty data directory; no JSON run.`} The sync is watched through /api/cluster?range=24h every 2 s (its own answer time adds to each figure); /healthz every 250 ms meanwhile. Load average at the end: ${loadAverage()}.`);
}

/** Sequential GETs of one URL: time to the last byte, gzip as a browser asks. */
async function sequential(url, n) {
  const ms = [];
  let last;
  for (let i = 0; i < n; i++) {
    last = await getRaw(url, { 'accept-encoding': 'gzip' }, { decoded: true, timeoutMs: 120_000 });
    if (last.status !== 200) throw new Error(`${url} answered ${last.status}`);
    ms.push(last.ms);
  }
  // The same without gunzipping on our side: the answer's own time (the figure above includes the client's gunzip).
  const wireMs = [];
  for (let i = 0; i < n; i++) wireMs.push((await getRaw(url, { 'accept-encoding': 'gzip' }, { timeoutMs: 120_000 })).ms);
  // A poll of an unchanged answer: If-None-Match with its ETag.
  const notModified = [];
  for (let i = 0; i < n; i++) {
    const r = await getRaw(url, { 'accept-encoding': 'gzip', 'if-none-match': last.etag }, { timeoutMs: 120_000 });
    if (r.status === 304) notModified.push(r.ms);
  }
  return { p50: median(ms), wireP50: median(wireMs), curlP50: await curlP50(url, n), notModifiedP50: median(notModified), notModifiedOf: `${notModified.length} of ${n}`, wire: last.bytes, json: last.decodedBytes };
}

/**
 * The first request after the answers' time bucket (a minute: the bench's
 * interval is longer) rolled over, when every node's part is made again:
 * p50 and max of `n`, as curl sees it.
 */
async function afterBucket(url, n) {
  const ms = [];
  const settled = [];
  for (let i = 0; i < n; i++) {
    await sleep(60_000 - (Date.now() % 60_000) + 1_000);
    const t0 = performance.now();
    ms.push(await curlP50(url, 1));
    // Until every part of the new minute is made: an answer with parts of the minute before is not kept, so its
    // ETag is new at every request; the whole new answer is kept, and two requests in a row get the same ETag.
    let tag = '';
    for (;;) {
      const r = await getRaw(url, { 'accept-encoding': 'gzip' }, { timeoutMs: 120_000 });
      if (r.etag === tag) break;
      tag = r.etag;
      await sleep(100);
    }
    settled.push(performance.now() - t0);
  }
  return { p50: median(ms), max: Math.max(...ms), settledP50: median(settled) };
}

/**
 * The same as `curl --compressed` sees it (asks gzip, inflates with zlib in
 * C, as a browser does): median of `n` times to the last byte inflated.
 * NaN without curl.
 */
async function curlP50(url, n) {
  const { execFile } = await import('node:child_process');
  const once = () =>
    new Promise((resolve) =>
      execFile('curl', ['-s', '--compressed', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', url], { timeout: 120_000 }, (err, out) => {
        const [code, secs] = String(out).split(' ');
        resolve(err || code !== '200' ? NaN : Number(secs) * 1000);
      }),
    );
  const ms = [];
  for (let i = 0; i < n; i++) ms.push(await once());
  return ms.some(Number.isNaN) ? NaN : median(ms);
}

/** `clients` loops of `each` requests at once; the aggregator's RSS sampled meanwhile. */
async function concurrent(url, pid, clients, each) {
  const ms = [];
  const failures = [];
  let peak = rssOf(pid);
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone; the request loop reports it
    }
  }, 100);
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = 0; i < each; i++) {
          // A failed request is counted and reported, not the end of the section (the browser figures follow).
          const r = await getRaw(url, { 'accept-encoding': 'gzip' }, { timeoutMs: 180_000 }).catch((e) => ({ status: 0, error: String(e.message ?? e) }));
          if (r.status !== 200) failures.push(r.error ?? `HTTP ${r.status}`);
          else ms.push(r.ms);
        }
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  return { p50: median(ms), p99: percentile(ms, 99), peakRss: peak, failures };
}

export async function run({ log = () => {}, argv = process.argv.slice(2) } = {}) {
  const { nodes, syncOnly, jsonToo, quick } = parseArgs(argv);
  const units = 500;
  const before = BEFORE[nodes];
  const report = createReport(`7. Fleet: ${nodes} daemons x ${units} units, 30 days at ${INTERVAL_MINUTES} min, one aggregator`);
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const genDir = scratch('fleet-history');
  log(`generating 30 days x ${units} units x ${INTERVAL_MINUTES} min`);
  const gen = await generateHistory({ out: genDir, units, days: 30, intervalMs: INTERVAL_MINUTES * 60_000, original: false });
  await buildUi({ ifNeeded: true, quiet: true });

  const started = [];
  try {
    log(`starting ${nodes - 1} peer daemons`);
    for (let i = 1; i < nodes; i++) started.push(await startNode(startDaemonProcess, { index: i, history: gen.ours.dir, units }));
    const peers = [...started];
    if (syncOnly) {
      await syncComparison(report, startDaemonProcess, { peers, history: gen.ours.dir, units, nodes, jsonToo, log });
      return report;
    }
    log('starting the aggregator (node-01), which lists every other node as a peer');
    const main = await startNode(startDaemonProcess, { index: 0, history: gen.ours.dir, peers, units });
    started.push(main);
    const sync = await watchSync(main, peers.map((p) => p.id), { timeoutMs: nodes * 60_000 + 120_000, log });
    report.row('initial sync: every peer shows its status', fmt.s(sync.statusMs), before?.syncStatus ? fmt.s(before.syncStatus) : '', before?.syncStatus ? before.syncStatus / sync.statusMs : undefined, '< 15 s', sync.statusMs < 15_000);
    report.row('initial sync: every peer shows its last 24 h', fmt.s(sync.dayMs), before ? fmt.s(before.sync24) : '', before ? before.sync24 / sync.dayMs : undefined, '< 60 s', sync.dayMs < 60_000);
    report.row('initial sync: every peer has all 30 days (not syncing)', fmt.s(sync.allMs), '', undefined, '< 120 s', sync.allMs < 120_000);
    await sleep(3000);
    const syncEndRss = rssOf(main.child.pid);
    // Idle: past the decode thread's 30 s idle timeout and V8's collections after a busy spell.
    await sleep(45_000);
    const idleRss = rssOf(main.child.pid);
    // The dashboard's full load now, so the poll measured at the end finds a new sample on every node.
    const ids = [main.id, ...peers.map((p) => p.id)];
    log('compact feed: a full load (summary and every node\'s rows)');
    const load = await fullLoad(main.url, ids);

    const url24 = `${main.url}/api/cluster?range=24h`;
    const url30 = `${main.url}/api/cluster?range=30d`;
    log('/api/cluster sequential');
    const s24 = await sequential(url24, quick ? 2 : 7);
    const s30 = await sequential(url30, quick ? 2 : 7);
    // The target is read as a client that inflates as curl and browsers do; Node's stream client is shown beside it.
    report.row('/api/cluster?range=24h p50, sequential, as `curl --compressed` sees it (inflated by zlib in C, as a browser does)', fmt.ms(s24.curlP50), before ? fmt.ms(before.p50_24) : '', before ? before.p50_24 / s24.curlP50 : undefined, '< 200 ms', s24.curlP50 < 200);
    report.row('/api/cluster?range=30d p50, sequential, the same', fmt.ms(s30.curlP50), before ? fmt.ms(before.p50_30) : '', before ? before.p50_30 / s30.curlP50 : undefined, '< 200 ms', s30.curlP50 < 200);
    report.row('  24h / 30d p50 to the last byte received, without inflating', `${fmt.ms(s24.wireP50)} / ${fmt.ms(s30.wireP50)}`, '');
    report.row('  24h / 30d p50 through Node\'s http client and zlib stream (inflates in 16 KiB chunks)', `${fmt.ms(s24.p50)} / ${fmt.ms(s30.p50)}`, '');
    report.row('/api/cluster 24h / 30d, a poll with If-None-Match when nothing changed: 304 p50 (polls answered 304)', `${fmt.ms(s24.notModifiedP50)} / ${fmt.ms(s30.notModifiedP50)} (${s24.notModifiedOf}; ${s30.notModifiedOf})`, '', undefined, '< 10 ms', s24.notModifiedP50 < 10 && s30.notModifiedP50 < 10);
    report.row('  body 24h: gzip (JSON)', `${fmt.bytes(s24.wire)} (${fmt.bytes(s24.json)})`, '');
    report.row('  body 30d: gzip (JSON)', `${fmt.bytes(s30.wire)} (${fmt.bytes(s30.json)})`, '');
    log(quick ? '--quick: no 10-client run' : '/api/cluster with 10 concurrent clients (30d)');
    const c = quick ? { p50: NaN, p99: NaN, failures: [], peakRss: NaN } : await concurrent(url30, main.child.pid, 10, 3);
    report.row('10 concurrent clients, 30d: p50', fmt.ms(c.p50), before ? fmt.ms(before.c50) : '', before ? before.c50 / c.p50 : undefined);
    report.row('10 concurrent clients, 30d: p99', fmt.ms(c.p99), before ? fmt.ms(before.c99) : '', before ? before.c99 / c.p99 : undefined, '< 1 s', c.p99 < 1000);
    if (c.failures.length > 0) {
      report.row('  requests that failed', `${c.failures.length} of 30: ${[...new Set(c.failures)].join('; ')}`, '', undefined, 'none', false);
      report.note(`aggregator log, last lines: ${main.logs().slice(-600).replace(/\s+/g, ' ')}`);
    }
    if (!quick) {
      log('/api/cluster right after the time bucket moved (every part made again), 3 times; then 30d after 3 minutes unasked');
      const cold = await afterBucket(url24, 3);
      report.row('/api/cluster 24h, the first request after the minute\'s time bucket moved: p50 / max, as curl sees it', `${fmt.ms(cold.p50)} / ${fmt.ms(cold.max)}`, '');
      report.row('  every node\'s part of the new minute made (from that request; p50)', fmt.ms(cold.settledP50), '');
      const idle30 = await curlP50(url30, 1);
      report.row('/api/cluster 30d, first request after 3 minutes unasked (every part made before the answer), as curl sees it', fmt.ms(idle30), '');
    }
    log('compact feed: summary and rows, sequential');
    const feed = await feedTimes(main.url, peers[0].id);
    report.row('/api/cluster/summary?range=24h p50 (beside /api/cluster 24h)', fmt.ms(feed.summary24.p50), fmt.ms(s24.p50), s24.p50 / feed.summary24.p50, '< 200 ms', feed.summary24.p50 < 200);
    report.row('/api/cluster/summary?range=30d p50 (beside /api/cluster 30d)', fmt.ms(feed.summary30.p50), fmt.ms(s30.p50), s30.p50 / feed.summary30.p50, '< 200 ms', feed.summary30.p50 < 200);
    report.row('/api/cluster/node/:id 24h / 30d p50 (one node\'s rows)', `${fmt.ms(feed.rows24.p50)} / ${fmt.ms(feed.rows30.p50)}`, '');
    report.row('  body summary 24h (30d): gzip (JSON)', `${fmt.bytes(feed.summary24.wire)} (${fmt.bytes(feed.summary30.wire)}) / ${fmt.bytes(feed.summary24.json)} (${fmt.bytes(feed.summary30.json)})`, '');
    report.row('  body one node\'s rows 24h (30d): gzip (JSON)', `${fmt.bytes(feed.rows24.wire)} (${fmt.bytes(feed.rows30.wire)}) / ${fmt.bytes(feed.rows24.json)} (${fmt.bytes(feed.rows30.json)})`, '');
    report.row('  summary + every node\'s rows, 24h: gzip (JSON), beside /api/cluster', `${fmt.bytes(load.wire)} (${fmt.bytes(load.json)})`, `${fmt.bytes(s24.wire)} (${fmt.bytes(s24.json)})`, s24.wire / load.wire);
    report.row('aggregator RSS, idle after sync (45 s after it ended)', fmt.bytes(idleRss), before ? `${before.rssIdle} MiB` : '', undefined, '< 400 MB', idleRss < 400e6);
    report.row('  3 s after the sync ended (decode thread still alive)', fmt.bytes(syncEndRss), '');
    report.row('aggregator RSS, peak with 10 clients', fmt.bytes(c.peakRss), before ? `${before.rssLoad} MiB` : '', undefined, '< 600 MB', c.peakRss < 600e6);

    let poll = null;
    log('the dashboard in chromium');
    const browser = await launchChromium();
    try {
      const waitNewSample = async () => {
        log('compact feed: a poll after a new sample on every node');
        return pollAfterSample(main.url, load, { timeoutMs: (INTERVAL_MINUTES + 2) * 60_000, log });
      };
      const b = await browserFigures(browser, main.url, { nodes, measureRender, waitNewSample, log });
      poll = b.background?.result ?? null;
      report.row('dashboard: first full render from navigation', fmt.ms(b.renderMs), before ? fmt.ms(before.render) : '', before ? before.render / b.renderMs : undefined, '< 1.5 s', b.renderMs < 1500);
      report.row('  from the data received to painted', fmt.ms(b.renderFromDataMs), '');
      report.row('dashboard: range toggle, default view (24 h -> 30 days): shown / every open node\'s rows', `${fmt.ms(b.defaultToggleShownMs)} / ${fmt.ms(b.defaultToggleMs)}`, before ? fmt.ms(before.toggle) : '', before ? before.toggle / b.defaultToggleMs : undefined, '< 500 ms', b.defaultToggleMs < 500);
      report.row('dashboard: range toggle, every node expanded (24 h -> 30 days, rendered)', fmt.ms(b.toggleMs), before ? fmt.ms(before.toggle) : '', before ? before.toggle / b.toggleMs : undefined, '< 500 ms', b.toggleMs < 500);
      report.row('  from the data received to painted', fmt.ms(b.toggleFromDataMs), '');
      report.row('  the 30 days shown (summary painted) / every open node\'s rows painted', `${fmt.ms(b.toggleShownMs)} / ${fmt.ms(b.toggleMs)}`, '');
      report.row('  the answers it waited for: summary / last rows in (ms after the click; rows asked; bytes)', `${fmt.ms(b.toggleSummaryMs)} / ${fmt.ms(b.toggleRowsMs)} (${b.toggleRowsAsked}; ${fmt.bytes(b.toggleBytes)})`, '');
      report.row('  rows answers, median: server wait / download (ms)', `${fmt.ms(b.toggleRowsWait)} / ${fmt.ms(b.toggleRowsDownload)}`, '');
      report.row('  CPU profile of the page during it (self time, ms)', b.toggleProfile, '');
      report.row('dashboard: range toggle back (30 days -> 24 h): shown / every open node\'s rows', `${fmt.ms(b.backShownMs)} / ${fmt.ms(b.backMs)} (${fmt.bytes(b.backBytes)})`, '', undefined, '< 500 ms', b.backMs < 500);
      report.row('dashboard: filter keystroke (input to painted)', fmt.ms(b.keystrokeMs), before ? fmt.ms(before.keystroke) : '', before ? before.keystroke / b.keystrokeMs : undefined, '< 50 ms', b.keystrokeMs < 50);
      report.row('dashboard: scroll frame p50', fmt.ms(b.frameP50), before ? fmt.ms(before.frame) : '', before ? before.frame / b.frameP50 : undefined, '<= 17 ms', b.frameP50 <= 17.5);
      report.row('dashboard: longest main-thread task, background poll', b.pollLongestTask > 0 ? fmt.ms(b.pollLongestTask) : 'none over 50 ms', '', undefined, '<= 50 ms', b.pollLongestTask <= 50);
      report.row('  longest before / after the data was received (taking it in, render)', b.pollNote, '');
      if (b.background) {
        const g = b.background;
        report.row('dashboard: longest main-thread task, background polls bringing a new sample on every node', g.longest > 0 ? fmt.ms(g.longest) : 'none over 50 ms', '', undefined, '<= 50 ms', g.longest <= 50);
        report.row('  every node expanded; polls that brought data / tasks over 50 ms / minutes watched; the last poll asked', `${g.dataPolls} / ${g.over50} / ${g.minutes.toFixed(1)} min; ${g.last.note}`, '');
      }
      report.row('dashboard: DOM nodes (all shadow roots), default view', fmt.n(b.domNodes), before ? fmt.n(before.dom) : '', before ? before.dom / b.domNodes : undefined, '< 20k', b.domNodes < 20_000);
      report.row('dashboard: DOM nodes, every node expanded (most seen while scrolling)', fmt.n(b.domNodesExpanded), before ? fmt.n(before.dom) : '', before ? before.dom / b.domNodesExpanded : undefined, '< 20k', b.domNodesExpanded < 20_000);
      report.row('dashboard: JS heap (after GC), default view', fmt.bytes(b.heapBytes), '', undefined, '< 60 MB', b.heapBytes < 60e6);
      report.row('dashboard: JS heap (after GC), every node open with its rows', fmt.bytes(b.heapExpanded), '', undefined, '< 60 MB', b.heapExpanded < 60e6);
      report.row('dashboard: bytes moved by that background poll (every node open)', fmt.bytes(b.pollBytes), `${fmt.bytes(s24.wire)} (/api/cluster)`, s24.wire / b.pollBytes);
    } finally {
      await browser.close();
    }
    if (poll) {
      // "A full load": what the dashboard downloaded at every poll when the issue was filed, /api/cluster 24h (its recorded
      // gzip size); beside it, today's /api/cluster (smaller since its parts are compressed at level 6) and the feed's own full load.
      const full = before?.body24 ?? s24.wire;
      const pct = (v) => `${((100 * v) / full).toFixed(2)}% of a full load; ${((100 * v) / s24.wire).toFixed(1)}% of today's /api/cluster`;
      report.row('poll after one new sample on every node, default view (summary only)', `${fmt.bytes(poll.folded)} (${pct(poll.folded)})`, fmt.bytes(full), full / poll.folded, '< 5% of a full load', poll.folded < 0.05 * full);
      report.row('  the same with every node open (summary + every node\'s rows as deltas)', `${fmt.bytes(poll.open)} (${pct(poll.open)}; ${((100 * poll.open) / load.wire).toFixed(1)}% of the feed's full load)`, fmt.bytes(full), full / poll.open, '< 5% of a full load', poll.open < 0.05 * full);
      report.row('    (whole rows, If-None-Match only, as before deltas)', `${fmt.bytes(poll.openWhole)} (${pct(poll.openWhole)})`, '');
      const k = poll.composition;
      report.row('    one node\'s delta: gzip (JSON); of it, gzip alone: every / changes', `${fmt.bytes(k.gzip)} (${fmt.bytes(k.json)}); ${fmt.bytes(k.every)} / ${fmt.bytes(k.changes)}`, '');
      report.row('    its changes: rows / keys most sent; every', `${k.changed} rows; ${k.keys || 'none'}; ${k.everyKeys || 'none'}`, '');
    }
    report.note('poll bytes: "a full load" is what the dashboard downloaded at every poll when issue 11 was filed, /api/cluster?range=24h (its recorded gzip size, the baseline column); today\'s /api/cluster, whose parts are now compressed at level 6, and the feed\'s own full load are shown beside it.');
    report.note('dashboard: the default view folds healthy nodes (every unit of the fleet is active when measured); keystrokes, scrolling, the poll and the range toggle are measured with every node expanded (Expand all). "from the data received to painted" starts when the poller has the parsed answer (its jm-cluster-received mark): it leaves out the server\'s answer time and the download.');
    report.note(`history per node: ${fmt.n(gen.samples)} samples x ${units} units (${fmt.bytes(gen.ours.bytes)} on disk); nodes check their units every ${INTERVAL_MINUTES} min through the fake systemctl; peer_refresh_seconds 30. Requests ask gzip as a browser does; p50 of 7 sequential requests, 10 clients x 3 requests at once.`);
    report.note(`baseline column: the figures issue 11 recorded before this dashboard (same machine, same fleet shape${before ? '' : '; none recorded for this size'}), not re-run: that code is replaced. Server figures depend on the read path (another branch: answers kept as bytes per data version with an ETag) and the peer sync (another branch: newest first).`);
  } finally {
    for (const d of started.reverse()) {
      await d.stop().catch(() => undefined);
      rmSync(d.dir, { recursive: true, force: true });
    }
    rmSync(genDir, { recursive: true, force: true });
  }
  return report;
}
