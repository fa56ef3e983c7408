#!/usr/bin/env node
/**
 * Generates a large history for the benchmarks: by default 30 days of
 * 500 units sampled every minute (43,200 samples, 21.6 M check results),
 * ending now, written twice from the same simulated states:
 *
 *   OUT/ours/       our data directory: one compacted segment per closed UTC
 *                   day (`status-YYYY-MM-DD.cols.gz`, made by the real code
 *                   path: SampleLog.append of every sample, toColumns,
 *                   encodeStatus) and today's JSON Lines segment
 *                   (`status-YYYY-MM-DD.jsonl`, the lines the daemon appends:
 *                   full CheckResult with since, restarts, duration_ms).
 *   OUT/original/status_history.json
 *                   the original JobMonitor's single file: the whole history
 *                   as one pretty-printed JSON array (Go's MarshalIndent with
 *                   two spaces), fields id, name, ok, state, error, and
 *                   nanosecond timestamps.
 *
 * The simulated host: 85% of units always active, 4% inactive (finished
 * oneshots), 1% failed all along, 10% flapping (about two failure episodes a
 * day of 1-30 minutes: failed or activating/auto-restart); the daemon was down
 * for two hours on day 10; one sweep every ~3 days could not reach systemd
 * (every unit "unknown"). Sweep start jitter 0-40 ms. Deterministic per seed.
 *
 * Usage: node scripts/gen-history.mjs --out DIR [--units 500] [--days 30]
 *          [--interval-seconds 60] [--end ISO] [--seed 1] [--no-original] [--no-ours]
 * Prints a JSON summary. Importable: generateHistory(opts), benchTargets(units).
 * Needs the compiled code (node scripts/build.mjs).
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prng } from './prng.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DAY_MS = 86_400_000;

/** The targets of the generated history, as config entries (fake-systemctl answers `ok-*` units as active). */
export function benchTargets(units = 500) {
  return Array.from({ length: units }, (_, i) => {
    const n = String(i).padStart(3, '0');
    return { id: `svc-${n}`, name: `Service ${n}`, service: `ok-svc-${n}.service`, timeout_seconds: 15, use_sudo: false };
  });
}


// Result kinds: what our check stores (interned part) and what the original's `is-active` check wrote.
const KINDS = [
  { ok: true, state: 'active', sub_state: 'running', result: 'success' },
  { ok: false, state: 'inactive', error: 'inactive', sub_state: 'dead', result: 'success' },
  { ok: false, state: 'failed', error: 'failed', sub_state: 'failed', result: 'exit-code' },
  { ok: false, state: 'activating', error: 'activating', sub_state: 'auto-restart', result: 'exit-code' },
  { ok: false, state: 'unknown', error: 'Failed to connect to bus: Connection refused' },
];
const [ACTIVE, INACTIVE, FAILED, ACTIVATING, UNKNOWN] = [0, 1, 2, 3, 4];

/**
 * The simulation: `step(k)` fills `codes` (one KINDS index per unit) for
 * sample k and returns its time in ms, or undefined when the daemon was down.
 */
function simulation({ units, samples, startMs, intervalMs, seed }) {
  const rnd = prng(seed);
  const cls = Array.from({ length: units }, (_, i) => {
    const r = (i * 7919) % 100; // spread classes over the unit list
    return r < 85 ? 'stable' : r < 89 ? 'inactive' : r < 90 ? 'failed' : 'flappy';
  });
  const episodeLeft = new Int32Array(units);
  const episodeKind = new Uint8Array(units);
  const gapFrom = Math.min(samples - 1, Math.round((10 * DAY_MS) / intervalMs));
  const gapTo = gapFrom + Math.round((2 * 3_600_000) / intervalMs);
  const codes = new Uint8Array(units);
  const perSampleEpisode = (2 * intervalMs) / DAY_MS;
  return {
    codes,
    cls,
    step(k) {
      const t = startMs + k * intervalMs + Math.floor(rnd() * 40);
      const busDown = rnd() < intervalMs / (3 * DAY_MS);
      for (let u = 0; u < units; u++) {
        let code;
        switch (cls[u]) {
          case 'stable':
            code = ACTIVE;
            break;
          case 'inactive':
            code = INACTIVE;
            break;
          case 'failed':
            code = FAILED;
            break;
          default:
            if (episodeLeft[u] > 0) {
              episodeLeft[u]--;
              code = episodeKind[u];
            } else if (rnd() < perSampleEpisode) {
              episodeLeft[u] = Math.floor(rnd() * 30);
              episodeKind[u] = rnd() < 0.7 ? FAILED : ACTIVATING;
              code = episodeKind[u];
            } else code = ACTIVE;
        }
        codes[u] = busDown ? UNKNOWN : code;
      }
      return k >= gapFrom && k < gapTo ? undefined : t;
    },
  };
}

const iso = (ms) => new Date(ms).toISOString();

/** Go's RFC3339Nano: 9 fraction digits with trailing zeros trimmed (none when all zero). */
function goNano(ms, nanos) {
  const s = iso(ms);
  const frac = (String(ms % 1000).padStart(3, '0') + String(nanos).padStart(6, '0')).replace(/0+$/, '');
  return `${s.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** Buffered writes of text to a file descriptor. */
function writer(path) {
  const fd = openSync(path, 'w');
  let parts = [];
  let size = 0;
  let total = 0;
  const flush = () => {
    if (size === 0) return;
    const buf = Buffer.from(parts.join(''), 'utf8');
    writeSync(fd, buf);
    total += buf.length;
    parts = [];
    size = 0;
  };
  return {
    write(s) {
      parts.push(s);
      size += s.length;
      if (size > 8 * 1024 * 1024) flush();
    },
    close() {
      flush();
      closeSync(fd);
      return total;
    },
  };
}

/**
 * The original's pretty-printed file for a stream of samples: `samples`
 * yields [timestampText, codes] (codes reused between yields).
 */
export function writeOriginalFile(path, targets, samples) {
  // A check's text depends only on the unit and its kind: build each once.
  const blocks = targets.map((t) =>
    KINDS.map((k) => {
      const lines = [`        "id": ${JSON.stringify(t.id)}`, `        "name": ${JSON.stringify(t.name)}`, `        "ok": ${k.ok}`, `        "state": ${JSON.stringify(k.state)}`];
      if (!k.ok) lines.push(`        "error": ${JSON.stringify(k.error)}`);
      return `      {\n${lines.join(',\n')}\n      }`;
    }),
  );
  const w = writer(path);
  w.write('[');
  let first = true;
  const parts = new Array(targets.length);
  for (const [ts, codes] of samples) {
    for (let u = 0; u < targets.length; u++) parts[u] = blocks[u][codes[u]];
    w.write(`${first ? '\n' : ',\n'}  {\n    "timestamp": "${ts}",\n    "checks": [\n${parts.join(',\n')}\n    ]\n  }`);
    first = false;
  }
  w.write(first ? ']' : '\n]');
  return w.close();
}

/**
 * Writes the history (see the module comment). Returns a summary with the
 * sizes and times. `endMs` defaults to now; samples run from endMs - days.
 */
export async function generateHistory({
  out,
  units = 500,
  days = 30,
  intervalMs = 60_000,
  endMs = Date.now(),
  seed = 1,
  ours = true,
  original = true,
  log = () => {},
}) {
  const { SampleLog } = await import(pathToFileURL(join(ROOT, 'dist/src/history/sample-log.js')).href);
  const { encodeStatus } = await import(pathToFileURL(join(ROOT, 'dist/src/history/columnar.js')).href);
  const { segmentName } = await import(pathToFileURL(join(ROOT, 'dist/src/storage/segments.js')).href);
  const targets = benchTargets(units);
  const samples = Math.round((days * DAY_MS) / intervalMs);
  const startMs = Math.floor((endMs - days * DAY_MS) / intervalMs) * intervalMs + intervalMs;
  const oursDir = join(out, 'ours');
  const origDir = join(out, 'original');
  const summary = { units, days, intervalMs, startMs, endMs, seed, samples: 0, results: 0 };

  // Pass 1: ours (the simulation is cheap and deterministic, so each output replays it).
  if (ours) {
    rmSync(oursDir, { recursive: true, force: true });
    mkdirSync(oursDir, { recursive: true });
    const sim = simulation({ units, samples, startMs, intervalMs, seed });
    const since = targets.map(() => iso(startMs - DAY_MS));
    const prevCode = new Uint8Array(units);
    const today = Math.floor(endMs / DAY_MS) * DAY_MS;
    const perDay = Math.ceil(DAY_MS / intervalMs) + 1;
    // Interned results as SampleLog keeps them (no `error` on an ok result).
    const results = KINDS.map(({ ok, state, error, sub_state, result }) => ({ ok, state, ...(error ? { error } : {}), ...(sub_state ? { sub_state } : {}), ...(result ? { result } : {}) }));
    const ids = targets.map((t) => t.id);
    const pairs = targets.map((t, i) => [i, t.name]);
    const layout = targets.map((_, i) => i);
    let times = new Float64Array(perDay);
    let codes = new Uint16Array(perDay * units);
    let n = 0;
    let latest;
    let day = Math.floor(startMs / DAY_MS) * DAY_MS;
    let jsonl;
    let bytes = 0;
    let segments = 0;
    const t0 = performance.now();
    /** The daemon's sample: full CheckResult, with the fields kept only for the latest. */
    const fullEntry = (stamp) => ({
      timestamp: stamp,
      checks: targets.map((t, u) => {
        const k = KINDS[sim.codes[u]];
        return { id: t.id, name: t.name, ok: k.ok, state: k.state, ...(k.error ? { error: k.error } : {}), ...(k.sub_state ? { sub_state: k.sub_state } : {}), ...(k.result ? { result: k.result } : {}), since: since[u], restarts: 0, duration_ms: 380 + (u % 50) };
      }),
    });
    // A closed day goes through the real compaction path: SampleLog columns -> toColumns -> encodeStatus.
    const closeDay = () => {
      if (n === 0) return;
      const cols = { times: times.subarray(0, n), layoutOf: new Uint32Array(n), codes: codes.subarray(0, n * units), ids, pairs, layouts: [layout], results, latest };
      const dayLog = new SampleLog();
      dayLog.appendColumns(cols);
      const buf = encodeStatus(dayLog.toColumns());
      const path = join(oursDir, segmentName('status', day, 'compact'));
      const w = openSync(path, 'w');
      writeSync(w, buf);
      closeSync(w);
      bytes += buf.length;
      segments++;
      times = new Float64Array(perDay);
      codes = new Uint16Array(perDay * units);
      n = 0;
    };
    for (let k = 0; k < samples; k++) {
      const t = sim.step(k);
      if (t === undefined) continue;
      const d = Math.floor(t / DAY_MS) * DAY_MS;
      if (d !== day) {
        if (day < today) closeDay();
        day = d;
      }
      const stamp = iso(t);
      for (let u = 0; u < units; u++) {
        if (sim.codes[u] !== prevCode[u]) since[u] = stamp;
        prevCode[u] = sim.codes[u];
      }
      summary.samples++;
      summary.results += units;
      if (d >= today) {
        // The open day: JSON Lines as the daemon appends them.
        jsonl ??= writer(join(oursDir, segmentName('status', d, 'jsonl')));
        jsonl.write(`${JSON.stringify(fullEntry(stamp))}\n`);
      } else {
        times[n] = t;
        codes.set(sim.codes, n * units);
        n++;
        // The day's newest sample, kept whole in its segment as compaction keeps it.
        if (k + 1 === samples || Math.floor((t + intervalMs) / DAY_MS) * DAY_MS !== d) latest = fullEntry(stamp);
      }
      if (k % 5000 === 0) log(`ours: ${k}/${samples} samples`);
    }
    if (day < today) closeDay();
    const jsonlBytes = jsonl ? jsonl.close() : 0;
    summary.ours = { dir: oursDir, compactSegments: segments, compactBytes: bytes, jsonlBytes, bytes: bytes + jsonlBytes, ms: performance.now() - t0 };
  }

  if (original) {
    rmSync(origDir, { recursive: true, force: true });
    mkdirSync(origDir, { recursive: true });
    const sim = simulation({ units, samples, startMs, intervalMs, seed });
    const nano = prng(seed + 1);
    const path = join(origDir, 'status_history.json');
    let count = 0;
    function* stream() {
      for (let k = 0; k < samples; k++) {
        const t = sim.step(k);
        if (t === undefined) continue;
        count++;
        if (k % 5000 === 0) log(`original: ${k}/${samples} samples`);
        yield [goNano(t, Math.floor(nano() * 1e6)), sim.codes];
      }
    }
    const t0 = performance.now();
    const bytes = writeOriginalFile(path, targets, stream());
    summary.original = { path, bytes, samples: count, ms: performance.now() - t0 };
    if (!ours) {
      summary.samples = count;
      summary.results = count * units;
    }
  }
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const out = opt('out');
  if (!out) {
    console.error('usage: node scripts/gen-history.mjs --out DIR [--units 500] [--days 30] [--interval-seconds 60] [--end ISO] [--seed 1] [--no-original] [--no-ours]');
    process.exit(2);
  }
  generateHistory({
    out,
    units: Number(opt('units', 500)),
    days: Number(opt('days', 30)),
    intervalMs: Number(opt('interval-seconds', 60)) * 1000,
    endMs: opt('end') ? Date.parse(opt('end')) : Date.now(),
    seed: Number(opt('seed', 1)),
    ours: !argv.includes('--no-ours'),
    original: !argv.includes('--no-original'),
    log: (m) => console.error(m),
  })
    .then((s) => {
      if (s.original) s.original.bytesOnDisk = statSync(s.original.path).size;
      console.log(JSON.stringify(s));
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
