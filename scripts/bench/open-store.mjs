#!/usr/bin/env node
/**
 * Child process of the history and peers sections: opens a data directory
 * with the real FileStore and reports how long open() took and the memory
 * the process then holds (after a full GC). Nothing else is loaded before
 * the measurement, so RSS is what a daemon pays for its history (plus
 * Node's own ~40 MB).
 *
 *   node --expose-gc scripts/bench/open-store.mjs --dir DIR --now MS [--raw-scan] [--pull-bytes CAP]
 *
 * --raw-scan     after the measurement: median time of a plain pass over
 *                every stored result of the 30-day window (ok count per
 *                target), the least a per-request scan without rollups costs.
 * --pull-bytes N the size of /api/node/history?range=30d&limit=N's `history`
 *                array as our node would send it (SampleLog.entriesJson,
 *                streamed, never held whole), and how long making it took.
 * --breakdown    where the time of /api/cluster?range=30d goes: the local
 *                snapshot (createLocalNode over this store, 500 targets),
 *                JSON.stringify of the body, and gzip at levels 6 (koa-compress'
 *                default) and 1; medians of 7 after 2 warm-ups.
 * Prints one JSON line.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const { FileStore } = await import(pathToFileURL(join(ROOT, 'dist/src/history/file-store.js')).href);

const dir = opt('dir');
const now = Number(opt('now', Date.now()));
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const opened = await FileStore.open({ dir, retentionDays: 30, now: () => now });
const openMs = performance.now() - t0;
if (!opened.ok) {
  console.log(JSON.stringify({ ok: false, error: opened.error }));
  process.exit(1);
}
global.gc?.();
const mem = process.memoryUsage();
const out = {
  ok: true,
  openMs,
  samples: opened.report.statusSamples,
  notes: opened.report.notes.length,
  rssBefore,
  rss: mem.rss,
  heapUsed: mem.heapUsed,
  external: mem.external,
  arrayBuffers: mem.arrayBuffers,
};
const log = opened.store.status;

if (argv.includes('--raw-scan')) {
  const v = log.scanView();
  const times = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    const lo = log.lowerBound(now - 30 * 86_400_000);
    const hi = log.upperBound(now);
    const passing = new Uint32Array(v.ids.length);
    const count = new Uint32Array(v.ids.length);
    for (let i = lo; i < hi; i++) {
      const ids = v.layouts[v.layoutOf[i]].ids;
      const off = v.offsets[i];
      for (let j = 0; j < ids.length; j++) {
        passing[ids[j]] += v.okOf[v.codes[off + j]];
        count[ids[j]]++;
      }
    }
    sink += passing[0] + count[0];
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  out.rawScanMs = times[2];
  out.rawScanResults = (log.upperBound(now) - log.lowerBound(now - 30 * 86_400_000)) * v.ids.length;
  out.sink = sink;
}

const cap = opt('pull-bytes');
if (cap !== undefined) {
  const t = performance.now();
  let bytes = 2; // [ ]
  let n = 0;
  for (const s of log.entriesJson(now - 30 * 86_400_000, now, Number(cap))) {
    bytes += Buffer.byteLength(s) + (n > 0 ? 1 : 0);
    n++;
  }
  out.pull = { entries: n, historyBytes: bytes, ms: performance.now() - t };
}

if (argv.includes('--breakdown')) {
  const { gzipSync } = await import('node:zlib');
  const { createLocalNode } = await import(pathToFileURL(join(ROOT, 'dist/src/node/local.js')).href);
  const { createLogQueries } = await import(pathToFileURL(join(ROOT, 'dist/src/views/log-queries.js')).href);
  const { benchTargets } = await import(pathToFileURL(join(ROOT, 'scripts/gen-history.mjs')).href);
  const targets = benchTargets(Number(opt('targets', 500)));
  const config = { node_id: 'bench', node_name: 'Bench', interval_minutes: 1, targets, monitor_dns: { enabled: false }, peers: [] };
  const history = createLogQueries(log, opened.store.connectivity);
  let clock = now;
  const local = createLocalNode({ config, history, now: () => clock, version: 'bench' });
  const t = { snapshot: [], stringify: [], gzip6: [], gzip1: [] };
  let sizes;
  for (let r = 0; r < 9; r++) {
    clock += 1; // a new window each time, as for every real request
    let s0 = performance.now();
    const snap = local.snapshot('30d');
    const a = performance.now() - s0;
    s0 = performance.now();
    const text = JSON.stringify({ generated_at: '', range: '30d', range_start: '', range_end: '', nodes: [snap] });
    const b = performance.now() - s0;
    s0 = performance.now();
    const g6 = gzipSync(text).length;
    const c = performance.now() - s0;
    s0 = performance.now();
    const g1 = gzipSync(text, { level: 1 }).length;
    const d = performance.now() - s0;
    if (r >= 2) {
      t.snapshot.push(a);
      t.stringify.push(b);
      t.gzip6.push(c);
      t.gzip1.push(d);
    }
    sizes = { json: Buffer.byteLength(text), gzip6: g6, gzip1: g1 };
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  out.breakdown = { snapshotMs: med(t.snapshot), stringifyMs: med(t.stringify), gzip6Ms: med(t.gzip6), gzip1Ms: med(t.gzip1), ...sizes };
}

await opened.store.close();
console.log(JSON.stringify(out));
