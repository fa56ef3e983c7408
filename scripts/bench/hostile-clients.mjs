/**
 * Section "hostile-clients": the client and file classes of issue 12, each
 * against a fresh daemon process holding 30 days x 500 units, ours beside the
 * code before the hardening (BEFORE_REF, built from git into the OS temp dir)
 * in the same run. Per class: peak RSS, RSS after the attack, the longest
 * /healthz from a fresh connection during it, and 5xx answers.
 *
 * Classes: clients that never read a 30-day history; slow clients of the
 * legacy /api/history; Accept-Encoding that rules out every coding; a gzip
 * bomb as a compacted day (time to answer after start, peak RSS).
 * Traffic goes to 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { ROOT, createReport, fmt, sleep, until } from './lib.mjs';
import { buildTree, fresh, procKiB } from './hostile-lib.mjs';
import { copyOfOurs } from './data.mjs';
import { benchTargets } from '../gen-history.mjs';

/** The last commit before this round's hardening (issue 12): the "before" column. */
const BEFORE_REF = 'ca3d3f6';
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');
const ATTACK_MS = 10_000;

async function startDaemon(mainJs, dataDir, log) {
  const dir = join(tmpdir(), `jm-bench-hc-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  cpSync(FAKE, join(dir, 'bin', 'systemctl'));
  const targets = benchTargets(500).map(({ id, name, service }) => ({ id, name, service }));
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({ node_id: 'bench', interval_minutes: 1, data_directory: dataDir, targets }));
  const port = 20000 + Math.floor(Math.random() * 9000);
  const started = performance.now();
  const child = spawn(process.execPath, [mainJs, '-config', join(dir, 'config.yaml'), '-addr', `127.0.0.1:${port}`], {
    cwd: dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logText = '';
  child.stderr.on('data', (d) => (logText = (logText + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  let peakKiB = 0;
  const sampler = setInterval(() => (peakKiB = Math.max(peakKiB, procKiB(child.pid, 'VmRSS') || 0)), 50);
  await until(async () => (await fresh(`${url}/healthz`)).status !== 0, 120_000, 'the daemon to answer').catch((e) => {
    log(logText);
    throw e;
  });
  const readyMs = performance.now() - started;
  return {
    url, child, readyMs,
    peak: () => Math.max(peakKiB, procKiB(child.pid, 'VmHWM') || 0),
    rss: () => procKiB(child.pid, 'VmRSS'),
    logText: () => logText,
    async stop() {
      clearInterval(sampler);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sockets that send a request and never read: what the daemon holds for them. */
function stalled(url, path, count) {
  const { port } = new URL(url);
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const s = connect(Number(port), '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n`));
    s.pause(); // never read
    s.on('error', () => {});
    sockets.push(s);
  }
  return () => sockets.forEach((s) => s.destroy());
}

/** An attack: `count` sockets ask for `path` and never read, for the attack window. */
function neverReading(path, count) {
  return async (d) => {
    const close = stalled(d.url, path, count);
    const w = await watch(d, ATTACK_MS);
    close();
    return w;
  };
}

/** /healthz every 50 ms during `ms`, and `extra` requests alongside; longest /healthz and 5xx count. */
async function watch(d, ms, extra) {
  let longest = 0;
  let fivexx = 0;
  let answers = 0;
  const end = Date.now() + ms;
  const probes = (async () => {
    while (Date.now() < end) {
      const h = await fresh(`${d.url}/healthz`);
      longest = Math.max(longest, h.ms);
      await sleep(50);
    }
  })();
  const load = (async () => {
    while (extra !== undefined && Date.now() < end) {
      const r = await extra();
      answers++;
      if (r.status >= 500) fivexx++;
    }
  })();
  await Promise.all([probes, load]);
  return { longest, fivexx, answers };
}

/** A compacted day that inflates to 1 GiB of zeros: what a start costs with it in the data directory. */
async function writeBomb(dataDir) {
  const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  const file = join(dataDir, `status-${day}.cols.gz`);
  rmSync(file, { force: true });
  const gz = createGzip({ level: 9 });
  const out = createWriteStream(file);
  const done = new Promise((r) => out.on('finish', r));
  gz.pipe(out);
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < 1024; i++) if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
}

const CLASSES = [
  {
    name: '20 clients that never read /api/node/history?range=30d',
    attack: neverReading('/api/node/history?range=30d', 20),
  },
  {
    name: '5 clients that never read legacy /api/history?range=30d',
    attack: neverReading('/api/history?range=30d', 5),
  },
  {
    name: 'Accept-Encoding: identity;q=0 on /api/node/status',
    attack: (d) => watch(d, ATTACK_MS, () => fresh(`${d.url}/api/node/status`, { 'accept-encoding': 'identity;q=0' })),
  },
  {
    name: 'a gzip bomb (1 GiB of zeros) as a compacted day',
    bomb: true,
    attack: (d) => watch(d, 2_000),
  },
];

export async function run({ log = () => {} } = {}) {
  const report = createReport('Hostile clients and files: one daemon per class (30 days x 500 units), ours beside the code before the hardening');
  const before = buildTree(BEFORE_REF, 'hostile-clients', log)?.main;
  const ours = join(ROOT, 'dist', 'src', 'main.js');
  const mib = (kib) => fmt.bytes(kib * 1024);
  for (const c of CLASSES) {
    log(`hostile-clients: ${c.name}`);
    const figures = {};
    for (const [which, mainJs] of [['after', ours], ...(before ? [['before', before]] : [])]) {
      const data = await copyOfOurs(`hostile-clients-${which}`, log);
      if (c.bomb === true) await writeBomb(data);
      const d = await startDaemon(mainJs, data, log);
      try {
        const idle = d.rss();
        const w = await c.attack(d);
        await sleep(2_000);
        figures[which] = { ...w, idle, peak: d.peak(), after: d.rss(), readyMs: d.readyMs };
        log(`  ${which}: /healthz ${w.longest.toFixed(1)} ms, peak ${mib(figures[which].peak)}, 5xx ${w.fivexx}/${w.answers}, ready after ${(d.readyMs / 1000).toFixed(1)} s`);
      } finally {
        await d.stop();
      }
    }
    const a = figures.after;
    const b = figures.before;
    report.row(`${c.name}: longest /healthz`, fmt.ms(a.longest), b ? fmt.ms(b.longest) : 'n/a', b ? b.longest / a.longest : undefined, '< 100 ms', a.longest < 100);
    report.row('  peak RSS (idle before)', `${mib(a.peak)} (${mib(a.idle)})`, b ? `${mib(b.peak)} (${mib(b.idle)})` : 'n/a', b ? b.peak / a.peak : undefined, '< 400 MiB', a.peak < 400 * 1024);
    report.row('  RSS 2 s after the attack', mib(a.after), b ? mib(b.after) : 'n/a');
    report.row('  5xx / answers; ready after start', `${a.fivexx}/${a.answers}; ${(a.readyMs / 1000).toFixed(1)} s`, b ? `${b.fivexx}/${b.answers}; ${(b.readyMs / 1000).toFixed(1)} s` : 'n/a', undefined, '0 5xx', a.fivexx === 0);
  }
  report.note(`baseline: ${BEFORE_REF} (before the hardening), same machine, same data and attacks; RSS from /proc/<pid>/status (VmRSS sampled every 50 ms, VmHWM at the end); /healthz polled every 50 ms from a fresh connection.`);
  return report;
}
