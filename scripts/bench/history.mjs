/**
 * Section "history": 30 days x 500 units x 1 minute (scripts/gen-history.mjs),
 * ours against the original's single status_history.json for the same data:
 * bytes on disk, append time at day 1 and day 30, cold start and resident
 * memory (a child process that only opens the store), and the latency of
 * /api/cluster?range=30d and /api/node/uptime?range=30d on a running daemon
 * with that data.
 */
import { mkdirSync, openSync, closeSync, readSync, readdirSync, statSync, rmSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, createReport, dist, fmt, getRaw, median, percentile, runNodeJson, sleep } from './lib.mjs';
import { copyOfOurs, ensureData, scratch } from './data.mjs';
import { benchTargets, generateHistory } from '../gen-history.mjs';

const OPEN_STORE = join(ROOT, 'scripts', 'bench', 'open-store.mjs');
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');
const DAY_MS = 86_400_000;

function dirBytes(dir) {
  return readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}

/** Median time of `count` appends of a full 500-unit sample to a FileStore opened on `dir`. */
async function appendTimes(dir, nowMs, count) {
  const { FileStore } = await dist('src/history/file-store.js');
  const opened = await FileStore.open({ dir, retentionDays: 30, now: () => nowMs });
  if (!opened.ok) throw new Error(opened.error);
  const store = opened.store;
  const template = store.status.latest();
  const times = [];
  try {
    for (let i = 0; i < count; i++) {
      const entry = { ...template, timestamp: new Date(nowMs + (i + 1) * 1000).toISOString() };
      const t = performance.now();
      const r = await store.appendStatus(entry);
      times.push(performance.now() - t);
      if (!r.ok) throw new Error(r.error);
    }
  } finally {
    await store.close();
  }
  return { median: median(times), p90: percentile(times, 90), samples: store.status.length };
}

/** Reads a whole file in 8 MiB chunks: the least any loader of it must do. */
function readAll(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  let total = 0;
  const t = performance.now();
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
    }
  } finally {
    closeSync(fd);
  }
  return { ms: performance.now() - t, bytes: total };
}

const openStore = (dir, nowMs, extra = []) =>
  runNodeJson(OPEN_STORE, ['--dir', dir, '--now', String(nowMs), ...extra], { nodeArgs: ['--expose-gc'], timeoutMs: 180_000 });

/** Sequential GETs, alternating the paths; latency to the last body byte (new connection each, as a polling dashboard may). */
async function latencies(base, paths, rounds, headers) {
  const out = Object.fromEntries(paths.map((p) => [p, { ms: [], bytes: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      const res = await getRaw(base + p, headers);
      if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status}`);
      out[p].ms.push(res.ms);
      out[p].bytes = res.bytes;
    }
  }
  return out;
}

export async function run({ log = () => {} } = {}) {
  const report = createReport('3. History at 30 days: 500 units x 1 minute');
  const data = await ensureData({ original: true, log });
  const nowMs = data.endMs;
  const origBytes = statSync(data.original.path).size;
  const oursBytes = dirBytes(data.ours.dir);

  // Worst case for ours: at 23:59 UTC the open day's JSON Lines holds a whole day.
  log('generating the worst case (open day full)');
  const lateEnd = Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS - 60_000;
  const late = await generateHistory({ out: scratch('late'), original: false, endMs: lateEnd });
  const lateBytes = dirBytes(late.ours.dir);

  report.row('results stored', fmt.n(data.results), fmt.n(data.results));
  report.row('bytes on disk', fmt.bytes(oursBytes), fmt.bytes(origBytes), origBytes / oursBytes, '≥10× smaller', origBytes / oursBytes >= 10);
  report.row('  at 23:59 UTC (open day all JSON Lines)', fmt.bytes(lateBytes), fmt.bytes(origBytes), origBytes / lateBytes, '≥10× smaller', origBytes / lateBytes >= 10);
  report.row('  closed days (compacted), per day', fmt.bytes(data.ours.compactBytes / data.ours.compactSegments), fmt.bytes(origBytes / data.days), origBytes / data.days / (data.ours.compactBytes / data.ours.compactSegments));

  // Append: a store with one day of history against one with thirty.
  log('append timing, day 1 and day 30');
  const day1 = await generateHistory({ out: scratch('day1'), days: 1, endMs: nowMs, original: true });
  const a1 = await appendTimes(day1.ours.dir, nowMs, 30);
  const a30 = await appendTimes(await copyOfOurs('append30'), nowMs, 30);
  report.row('append one sample, day 1', fmt.ms(a1.median), fmt.ms(day1.original.ms), day1.original.ms / a1.median);
  report.row('append one sample, day 30', fmt.ms(a30.median), fmt.ms(data.original.ms), data.original.ms / a30.median);
  report.row('  day 30 / day 1 (flat = 1)', fmt.x(a30.median / a1.median).replace('×', ''), fmt.x(data.original.ms / day1.original.ms).replace('×', ''), undefined, '≈1', a30.median / a1.median < 2);

  // Cold start and memory, each in a fresh process; the original's file is at least read whole.
  log('cold start (3 runs each)');
  const cold = [];
  const coldLate = [];
  for (let r = 0; r < 3; r++) {
    cold.push(await openStore(data.ours.dir, nowMs, r === 0 ? ['--raw-scan', '--breakdown'] : []));
    coldLate.push(await openStore(late.ours.dir, lateEnd));
  }
  const read = [readAll(data.original.path), readAll(data.original.path)];
  const readMs = Math.min(...read.map((x) => x.ms));
  const parse1 = await runNodeJson(join(ROOT, 'scripts', 'bench', 'parse-original.mjs'), [day1.original.path], { nodeArgs: ['--expose-gc'], timeoutMs: 120_000 });
  const openMs = median(cold.map((c) => c.openMs));
  const openLateMs = median(coldLate.map((c) => c.openMs));
  const rss = median(cold.map((c) => c.rss));
  const rssLate = median(coldLate.map((c) => c.rss));
  // The original's load of 30 days cannot run here (see the note); its 1-day load, measured, times 30:
  const estMs = parse1.parseMs * data.days;
  const estRss = (parse1.rss - cold[0].rssBefore) * data.days + cold[0].rssBefore;
  report.row('cold start: open()', fmt.ms(openMs), `~${fmt.s(estMs)} (est.)`, estMs / openMs, '< 3 s', openMs < 3000);
  report.row('  at 23:59 UTC', fmt.ms(openLateMs), `~${fmt.s(estMs)} (est.)`, estMs / openLateMs, '< 3 s', openLateMs < 3000);
  report.row('resident memory after open (RSS)', fmt.mb(rss), `~${fmt.mb(estRss)} (est.)`, estRss / rss, '< 200 MB', rss < 200e6);
  report.row('  at 23:59 UTC', fmt.mb(rssLate), `~${fmt.mb(estRss)} (est.)`, estRss / rssLate, '< 200 MB', rssLate < 200e6);
  report.row('  of which typed arrays (columns)', fmt.mb(median(cold.map((c) => c.arrayBuffers))), '');
  report.row("original's file, 1 day: read + JSON.parse", '', `${fmt.ms(parse1.parseMs)}, ${fmt.bytes(parse1.rss)} RSS`);

  // Latency on a running daemon with the data (its own sweeps answer through the fake systemctl).
  log('latency of 30-day views on a running daemon');
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const dir = scratch('daemon-history');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  cpSync(FAKE, join(dir, 'bin', 'systemctl'));
  cpSync(data.ours.dir, join(dir, 'data'), { recursive: true });
  const targets = benchTargets(data.units).map(({ id, name, service }) => ({ id, name, service }));
  const started = performance.now();
  const daemon = await startDaemonProcess({ dir, config: { node_id: 'bench', node_name: 'Bench node', interval_minutes: 1, data_directory: join(dir, 'data'), targets }, pathPrepend: [join(dir, 'bin')] });
  const startMs = performance.now() - started;
  try {
    await sleep(1000);
    const paths = ['/api/cluster?range=30d', '/api/node/uptime?range=30d', '/api/cluster?range=24h', '/api/node/status'];
    await latencies(daemon.url, paths, 2, { 'accept-encoding': 'gzip' });
    const lat = await latencies(daemon.url, paths, 15, { 'accept-encoding': 'gzip' });
    const ident = await latencies(daemon.url, paths.slice(0, 2), 1, {});
    const c30 = lat[paths[0]];
    const u30 = lat[paths[1]];
    const c24 = lat[paths[2]];
    const raw = cold[0].rawScanMs;
    const bd = cold[0].breakdown;
    report.row('GET /api/cluster?range=30d p50', fmt.ms(median(c30.ms)), fmt.ms(raw), raw / median(c30.ms), '< 100 ms', median(c30.ms) < 100);
    report.row('  p90', fmt.ms(percentile(c30.ms, 90)), '');
    report.row('  body (gzip / JSON)', `${fmt.bytes(c30.bytes)} / ${fmt.bytes(ident[paths[0]].bytes)}`, '');
    report.row('  in-process: snapshot (scan, uptime, timelines)', fmt.ms(bd.snapshotMs), '');
    report.row('  in-process: JSON.stringify', fmt.ms(bd.stringifyMs), '');
    report.row('  in-process: gzip level 6 (koa-compress default)', `${fmt.ms(bd.gzip6Ms)} → ${fmt.bytes(bd.gzip6)}`, '');
    report.row('  in-process: gzip level 1', `${fmt.ms(bd.gzip1Ms)} → ${fmt.bytes(bd.gzip1)}`, '');
    report.row('GET /api/node/uptime?range=30d p50', fmt.ms(median(u30.ms)), fmt.ms(raw), raw / median(u30.ms), '< 100 ms', median(u30.ms) < 100);
    report.row('  p90', fmt.ms(percentile(u30.ms, 90)), '');
    report.row('GET /api/cluster?range=24h p50', fmt.ms(median(c24.ms)), '');
    report.row('GET /api/node/status p50', fmt.ms(median(lat[paths[3]].ms)), '');
    report.row('daemon start to listening (30 days loaded)', fmt.ms(startMs), '');
    report.note(`data: ${fmt.n(data.samples)} samples (${data.days} days; the daemon was "down" 2 h on day 10), ${fmt.n(data.results)} results; ours = ${data.ours.compactSegments} compacted days + today's JSON Lines (${fmt.bytes(data.ours.jsonlBytes)} at ${new Date(nowMs).toISOString().slice(11, 16)} UTC); the original = one pretty-printed JSON array, as its storage.go writes it.`);
    report.note(`append: median of 30 appends (each JSON line + fdatasync); the original's append re-marshals and rewrites the whole file, so its figure is the time this run took to write that file (${fmt.bytes(day1.original.bytes)} at day 1, ${fmt.bytes(origBytes)} at day 30), without fsync.`);
    report.note(`cold start: ${fmt.n(cold[0].samples)} samples loaded, median of 3 fresh processes (node --expose-gc, RSS after a full GC; Node alone is ${fmt.bytes(cold[0].rssBefore)}). Baseline: the original loads with os.ReadFile + json.Unmarshal of the whole ${fmt.bytes(origBytes)} file, which cannot be reproduced here (no Go; Node cannot hold a string over ~512 MB), so the baseline is 30 x the measured read + JSON.parse of its 1-day file (${fmt.bytes(parse1.bytes)}: ${fmt.ms(parse1.parseMs)}, ${fmt.bytes(parse1.rss)} RSS) - an estimate, marked "est."; merely reading the 30-day file took ${fmt.ms(readMs)} (page cache) and holding it takes ≥ ${fmt.bytes(origBytes)}. Targets in MB = 10^6 bytes.`);
    report.note(`latency: sequential requests with Accept-Encoding: gzip as the dashboard sends, 15 rounds after 2 warm-up rounds, on a daemon process (interval 1 min, ${data.units} targets, no peers). Baseline column = a plain pass over all ${fmt.n(cold[0].rawScanResults)} results of the window in memory (${fmt.ms(raw)}), the least a per-request raw scan costs before building any response.`);
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}
