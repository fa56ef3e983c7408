#!/usr/bin/env node
// Soak run: one daemon watching 200 units (fake systemctl) every second, federated
// with two more daemons of ours, while a "dashboard" polls /api/cluster every 5 s.
// Every minute it prints resident memory, open file descriptors, threads and data
// size of each daemon; at the end, the growth per minute and a forecast check.
// The daemons are started as `npm start` starts them (its node flags and environment).
//
//   node scripts/soak.mjs [--minutes 10] [--units 200] [--peer-units 50]
//                         [--interval-seconds 1] [--out soak.json] [--keep]
//
// `kill -USR2 <pid>` ends the run at the next minute mark and still prints the summary.
//
// Needs a build (node scripts/build.mjs --if-needed). The daemons run from a
// copy of dist/ taken at start, so rebuilding the tree meanwhile does not change
// the code under test. Traffic only to 127.0.0.1.
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEnv, startFlags } from './bench/lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseFlags(argv) {
  const o = { minutes: 10, units: 200, peerUnits: 50, intervalSeconds: 1, out: undefined, keep: false, pollSeconds: 5 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--minutes') o.minutes = Number(val());
    else if (a === '--units') o.units = Number(val());
    else if (a === '--peer-units') o.peerUnits = Number(val());
    else if (a === '--interval-seconds') o.intervalSeconds = Number(val());
    else if (a === '--poll-seconds') o.pollSeconds = Number(val());
    else if (a === '--out') o.out = val();
    else if (a === '--keep') o.keep = true;
    else throw new Error(`unknown flag ${a}`);
  }
  for (const k of ['minutes', 'units', 'peerUnits', 'intervalSeconds', 'pollSeconds']) {
    if (!(o[k] > 0)) throw new Error(`--${k} must be a positive number`);
  }
  return o;
}

/** A realistic mix: mostly running, a few failed, starting, missing or stopped. */
function targets(n) {
  const kinds = ['bad', 'activating', 'missing', 'stopped'];
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 20 === 19 ? kinds[Math.floor(i / 20) % kinds.length] : 'ok';
    const id = `${kind}-${String(i).padStart(4, '0')}`;
    return { id, name: `Unit ${i}`, service: `${id}.service`, timeout_seconds: 10 };
  });
}

/** dist/ and public/ as they are now, so a rebuild during the soak does not swap code under the daemons. */
function snapshotBuild(base) {
  const app = join(base, 'app');
  mkdirSync(app, { recursive: true });
  for (const p of ['dist/src', 'dist/workers', 'dist/test/helpers', 'public', 'package.json']) cpSync(join(root, p), join(app, p), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
  // The test entry: the real command plus the test-only refresh floor (JM_TEST_HOOKS).
  return join(app, 'dist/test/helpers/daemon-entry.js');
}

function yamlOf(obj) {
  // JSON is YAML; no need for the yaml package here.
  return JSON.stringify(obj, null, 2);
}

async function startNode(main, base, name, config, env) {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, yamlOf(config));
  const log = createWriteStream(join(dir, 'daemon.log'));
  // As `npm start` starts the daemon: the start script's node flags (its environment is in `env`).
  const child = spawn(process.execPath, [...startFlags(root), main, '-config', configPath, '-addr', '127.0.0.1:0'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let head = '';
  let errors = 0;
  const onData = (d) => {
    const s = d.toString();
    log.write(s);
    if (head.length < 100_000) head += s;
    errors += (s.match(/\berror\b|ERROR|\[error\]/g) ?? []).length;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const deadline = Date.now() + 30_000;
  let port;
  while (port === undefined) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(head);
    if (m) port = Number(m[1]);
    else if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start:\n${head}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name,
    dir,
    child,
    url: `http://127.0.0.1:${port}`,
    errors: () => errors,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const r = await exited;
      clearTimeout(t);
      log.end();
      return r;
    },
  };
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, threads: kb('Threads') };
}

function openFds(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Bytes of the files under `dir`, not descending into `skip`. */
function dirBytes(dir, skip = '') {
  let total = 0;
  const walk = (p) => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      const st = statSync(full);
      if (st.isDirectory()) {
        if (name !== skip) walk(full);
      } else total += st.size;
    }
  };
  try {
    walk(dir);
  } catch {
    // a file removed while walking (compaction): the next minute counts it
  }
  return total;
}

async function getJson(url, timeoutMs = 20_000) {
  const started = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - started, body: res.ok ? JSON.parse(text) : undefined, bytes: text.length };
}

function measure(node) {
  const pid = node.child.pid;
  const { rssMiB, threads } = procStatus(pid);
  const data = join(node.dir, 'data');
  // Own history apart from the peers' copies (data/peers/), which grow with the peers' sample rate.
  return {
    rssMiB,
    fds: openFds(pid),
    threads,
    dataMiB: dirBytes(data, 'peers') / 1024 / 1024,
    peersMiB: dirBytes(join(data, 'peers')) / 1024 / 1024,
    errors: node.errors(),
  };
}

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

async function main() {
  const o = parseFlags(process.argv.slice(2));
  const base = mkdtempSync(join(tmpdir(), 'jm-soak-'));
  const bin = join(base, 'bin');
  mkdirSync(bin);
  symlinkSync(join(root, 'test/fixtures/fake-systemctl'), join(bin, 'systemctl'));
  const main = snapshotBuild(base);
  const env = {
    ...process.env,
    ...startEnv(root),
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    // Peers refresh every 5 s instead of the 15 s floor: more federation traffic per minute.
    JM_TEST_HOOKS: JSON.stringify({ minPeerRefreshSeconds: 5 }),
  };
  const interval = o.intervalSeconds / 60;
  const nodeConfig = (id, units, peers) => ({
    interval_minutes: interval,
    data_directory: 'data',
    node_id: id,
    node_name: `Soak ${id}`,
    peer_refresh_seconds: 5,
    targets: targets(units),
    peers,
  });
  console.log(`soak: ${o.minutes} min, ${o.units} units every ${o.intervalSeconds} s, 2 peers x ${o.peerUnits} units, /api/cluster every ${o.pollSeconds} s; files in ${base}`);
  const peerB = await startNode(main, base, 'peer-b', nodeConfig('soak-b', o.peerUnits, []), env);
  const peerC = await startNode(main, base, 'peer-c', nodeConfig('soak-c', o.peerUnits, []), env);
  const nodeA = await startNode(main, base, 'node-a', nodeConfig('soak-a', o.units, [
    { id: 'soak-b', name: 'Peer B', base_url: peerB.url },
    { id: 'soak-c', name: 'Peer C', base_url: peerC.url },
  ]), env);
  const nodes = [nodeA, peerB, peerC];

  // The dashboard: /api/cluster every pollSeconds, as the page does.
  const polls = { ok: 0, failed: 0, ms: [], lastPeerErrors: [] };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t = Date.now();
      try {
        const r = await getJson(`${nodeA.url}/api/cluster?range=24h`);
        if (r.status === 200) {
          polls.ok++;
          polls.ms.push(r.ms);
          polls.lastPeerErrors = (r.body?.nodes ?? []).filter((n) => n.error).map((n) => `${n.node?.id}: ${n.error}`);
        } else polls.failed++;
      } catch {
        polls.failed++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, o.pollSeconds * 1000 - (Date.now() - t))));
    }
  })();

  const rows = [];
  const sample = async (minute) => {
    const row = { minute, at: new Date().toISOString() };
    for (const n of nodes) row[n.name] = measure(n);
    const h = await getJson(`${nodeA.url}/healthz`).catch(() => undefined);
    row.health = h?.body;
    // V8's own figures, from the daemon's /metrics: RSS alone mixes heap growth with allocator slack.
    const metrics = await fetch(`${nodeA.url}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '');
    const gauge = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    row['node-a'].heapUsedMiB = gauge('nodejs_heap_size_used_bytes') / 1024 / 1024;
    row['node-a'].externalMiB = gauge('nodejs_external_memory_bytes') / 1024 / 1024;
    const ms = polls.ms.splice(0).sort((a, b) => a - b);
    row.cluster = { ok: polls.ok, failed: polls.failed, p50ms: ms[Math.floor(ms.length / 2)] ?? NaN, maxMs: ms.at(-1) ?? NaN, peerErrors: polls.lastPeerErrors };
    rows.push(row);
    const a = row['node-a'];
    console.log(
      `min ${String(minute).padStart(3)}  A: rss ${fmt(a.rssMiB)} MiB heap ${fmt(a.heapUsedMiB)} MiB fds ${a.fds} thr ${a.threads} data ${fmt(a.dataMiB, 2)} MiB peers ${fmt(a.peersMiB, 2)} MiB` +
        `  | B: rss ${fmt(row['peer-b'].rssMiB)} fds ${row['peer-b'].fds} data ${fmt(row['peer-b'].dataMiB, 2)}` +
        `  | C: rss ${fmt(row['peer-c'].rssMiB)} fds ${row['peer-c'].fds} data ${fmt(row['peer-c'].dataMiB, 2)}` +
        `  | cluster polls ok ${row.cluster.ok} failed ${row.cluster.failed} p50 ${fmt(row.cluster.p50ms, 0)} ms max ${fmt(row.cluster.maxMs, 0)} ms` +
        `  | pending ${row.health?.pending_writes ?? '?'}${row.cluster.peerErrors.length ? `  peer errors: ${row.cluster.peerErrors.join('; ')}` : ''}`,
    );
  };

  // Minute 0 is taken after a short warm-up so the pool's threads and the first peer pull are in.
  await new Promise((r) => setTimeout(r, 5_000));
  const t0 = Date.now();
  await sample(0);
  // SIGUSR2 ends the run at the next minute mark, with the summary as usual.
  let stopEarly = false;
  process.on('SIGUSR2', () => {
    stopEarly = true;
    console.log('soak: SIGUSR2, stopping after the next sample');
  });
  for (let m = 1; m <= o.minutes && !(stopEarly && m > 1); m++) {
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + m * 60_000 - Date.now())));
    for (const n of nodes) if (n.child.exitCode !== null || n.child.signalCode !== null) throw new Error(`${n.name} died during the soak; see ${n.dir}/daemon.log`);
    await sample(m);
  }
  polling = false;
  await poller;

  const lastStatus = await getJson(`${nodeA.url}/api/node/status`).catch(() => undefined);
  const lastLineBytes = Buffer.byteLength(JSON.stringify(lastStatus?.body?.status ?? {}));
  // Samples actually stored by node A versus expected.
  const hist = await getJson(`${nodeA.url}/api/node/history?range=24h`, 60_000).catch(() => undefined);
  const stored = Array.isArray(hist?.body?.history) ? hist.body.history.length : undefined;
  const stops = [];
  for (const n of nodes) stops.push({ name: n.name, ...(await n.stop()) });

  const summary = { options: o, base, minutes: [], nodes: {} };
  const xs = rows.map((r) => r.minute);
  for (const n of nodes) {
    const first = rows[0][n.name];
    const last = rows.at(-1)[n.name];
    // Growth from minute 1 on: minute 0 still includes start-up allocation.
    const later = rows.filter((r) => r.minute >= 1);
    summary.nodes[n.name] = {
      start: first,
      end: last,
      rssSlopeMiBPerMin: slope(later.map((r) => r.minute), later.map((r) => r[n.name].rssMiB)),
      fdsMax: Math.max(...rows.map((r) => r[n.name].fds)),
      fdsMin: Math.min(...rows.map((r) => r[n.name].fds)),
      dataSlopeMiBPerMin: slope(xs, rows.map((r) => r[n.name].dataMiB)),
      exit: stops.find((s) => s.name === n.name),
    };
  }
  summary.storedSamplesA = stored;
  summary.expectedSamplesA = Math.floor(((rows.at(-1).minute * 60 + 5) / o.intervalSeconds)); // the minutes run (SIGUSR2 may end it early)
  summary.rows = rows;
  // Forecast: a sample is one JSON line on disk, the latest sample as /api/node/status shows it (with since,
  // restarts and the like, which history entries leave out); memory holds each sample as one small code per unit.
  const a = summary.nodes['node-a'];
  summary.forecast = {
    dataMiBPerMin: ((lastLineBytes + 1) * 60) / o.intervalSeconds / 1024 / 1024,
    note: 'data grows by one JSON line per sample; fds flat; heap grows by the in-memory columns (a few bytes per unit and sample) and otherwise stays flat',
  };
  const later = rows.filter((r) => r.minute >= 1);
  a.heapSlopeMiBPerMin = slope(later.map((r) => r.minute), later.map((r) => r['node-a'].heapUsedMiB));
  console.log('\nsummary (node A unless named):');
  for (const [name, s] of Object.entries(summary.nodes)) {
    console.log(
      `  ${name}: rss ${fmt(s.start.rssMiB)} -> ${fmt(s.end.rssMiB)} MiB (slope ${fmt(s.rssSlopeMiBPerMin, 2)} MiB/min after minute 1), ` +
        `fds ${s.start.fds} -> ${s.end.fds} (range ${s.fdsMin}-${s.fdsMax}), data ${fmt(s.start.dataMiB, 2)} -> ${fmt(s.end.dataMiB, 2)} MiB ` +
        `(${fmt(s.dataSlopeMiBPerMin, 2)} MiB/min), peer copies ${fmt(s.start.peersMiB, 2)} -> ${fmt(s.end.peersMiB, 2)} MiB, error lines ${s.end.errors}, exit ${JSON.stringify(s.exit)}`,
    );
  }
  console.log(`  node A samples served for 24h: ${stored ?? 'n/a'} (about ${summary.expectedSamplesA} expected at one per ${o.intervalSeconds} s)`);
  console.log(`  forecast data growth from the line size (${lastLineBytes + 1} B a sample): ${fmt(summary.forecast.dataMiBPerMin, 2)} MiB/min; measured ${fmt(a.dataSlopeMiBPerMin, 2)} MiB/min`);
  console.log(`  node A V8 heap used: ${fmt(rows[0]['node-a'].heapUsedMiB)} -> ${fmt(rows.at(-1)['node-a'].heapUsedMiB)} MiB (slope ${fmt(a.heapSlopeMiBPerMin, 2)} MiB/min after minute 1)`);
  const last = rows.at(-1).cluster;
  console.log(`  dashboard polls: ${last.ok} ok, ${last.failed} failed`);
  if (o.out) writeFileSync(o.out, JSON.stringify(summary, null, 2));
  if (!o.keep) rmSync(base, { recursive: true, force: true });
  const bad = stops.some((s) => s.code !== 0) || last.failed > 0;
  process.exit(bad ? 1 : 0);
}

main().catch((e) => {
  console.error(`soak: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
