/**
 * Section "memory": the daemon's resident memory (RSS of the process, all
 * threads) at rest with 2 units, and with 500 units and 30 days of history
 * before, during and after 50-connection load on every endpoint, then a
 * minute after the load stops. Beside each figure: the same measured on the
 * main branch's code in the same run (`git archive main`, built in a temp
 * directory with this checkout's node_modules, or its own when its lock file
 * differs), since the original Go daemon is not available here. Both run as
 * `npm start` runs them (the environment and node flags of package.json's
 * `start` script), with a fake systemctl (test/fixtures/fake-systemctl).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOT, createReport, fmt, rssOf, runNodeJson, sleep, startEnv, startFlags, until } from './lib.mjs';
import { copyOfOurs } from './data.mjs';
import { benchTargets } from '../gen-history.mjs';

const LOAD = join(ROOT, 'scripts', 'bench', 'load.mjs');
const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');
const ENDPOINTS = [
  '/api/node/status', '/api/status', '/api/node/history?limit=100', '/api/history?limit=100', '/api/node/uptime?range=30d', '/api/uptime?range=30d',
  '/api/cluster', '/api/overview', '/api/incidents', '/metrics', '/healthz', '/api/badge/svc-000/status.svg', '/api/openapi.json',
];

/** How a variant is started, for the notes: the start script's environment and flags. */
function startLine(v) {
  const env = Object.entries(v.env).map(([k, x]) => `${k}=${x}`);
  return [...env, ...v.flags].join(' ') || '(none)';
}

/** The baseline's git ref: `--baseline REF` (e.g. `npm run bench -- memory --baseline cfb3d7c`), default main. */
const BASELINE = (() => {
  const at = process.argv.indexOf('--baseline');
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : 'main';
})();

/** The baseline's code (main unless --baseline), built in a temp directory; undefined when it cannot be (no git, no such ref). */
function buildMain(log) {
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-main-'));
  try {
    const tar = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', BASELINE], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    // main may depend on packages this checkout has not installed (yet): then it gets its own.
    if (readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) {
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    } else {
      log("main's dependencies differ from this checkout's: npm ci in the temp directory");
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'ignore' });
    }
    log(`building ${BASELINE} in a temp directory (baseline)`);
    execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir, stdio: 'ignore' });
    return dir;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    log(`cannot build main: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Starts `root`'s daemon as `npm start` would, on 127.0.0.1; resolves once it listens. */
async function startDaemon(root, flags, config, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-mem-'));
  mkdirSync(join(dir, 'bin'));
  cpSync(FAKE, join(dir, 'bin', 'systemctl'));
  writeFileSync(join(dir, 'config.yaml'), stringify(config));
  const child = spawn(process.execPath, [...flags, join(root, 'dist', 'src', 'main.js'), '-config', join(dir, 'config.yaml'), '-addr', '127.0.0.1:0'], {
    cwd: dir,
    env: { ...process.env, ...env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const port = await until(() => /listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1], 120_000, `daemon of ${root} listening: ${out.slice(-500)}`);
  return {
    pid: child.pid,
    dir,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Threads of a process (main, V8 and libuv helpers, and the check threads alive at the moment). */
function threadsOf(pid) {
  const m = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** RSS and thread count of `pid` now. */
function probe(pid) {
  return { rss: rssOf(pid), threads: threadsOf(pid) };
}

async function firstSample(url, n) {
  await until(async () => {
    const r = await fetch(`${url}/api/status`).then((x) => x.json()).catch(() => undefined);
    return r?.checks?.length === n;
  }, 180_000, 'first sample');
}

/** True once the daemon's history holds a sample (read from disk, so the daemon is not asked anything). */
function sampled(dataDir) {
  try {
    return readdirSync(dataDir).some((f) => f.startsWith('status-') && statSync(join(dataDir, f)).size > 0);
  } catch {
    return false;
  }
}

/** RSS at rest: 2 units, first sample taken, then `restMs` with nothing asked (not even the API). */
async function atRest(variant, restMs) {
  const d = await startDaemon(variant.root, variant.flags, {
    node_id: 'bench', interval_minutes: 5, data_directory: 'data', monitor_dns: { enabled: false },
    targets: [{ id: 'a', name: 'a', service: 'ok-a.service' }, { id: 'b', name: 'b', service: 'ok-b.service' }],
  }, variant.env);
  try {
    await until(() => sampled(join(d.dir, 'data')), 120_000, 'first sample on disk');
    await sleep(restMs);
    return rssOf(d.pid);
  } finally {
    await d.stop();
  }
}

/** RSS with 500 units and 30 days: before, peak during, right after, and a minute after the load. */
async function underLoad(variant, data, seconds, log) {
  const targets = benchTargets(500).map(({ id, name, service }) => ({ id, name, service }));
  const d = await startDaemon(variant.root, variant.flags, { node_id: 'bench', interval_minutes: 1, data_directory: data, monitor_dns: { enabled: false }, targets }, variant.env);
  try {
    await firstSample(d.url, targets.length);
    await sleep(5_000);
    const before = probe(d.pid);
    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(d.pid))), 100);
    try {
      for (const path of ENDPOINTS) {
        try {
          const x = await runNodeJson(LOAD, ['--url', `${d.url}${path}`, '--connections', '50', '--duration', String(seconds)], { timeoutMs: (seconds + 60) * 1000 });
          log(`  ${variant.name} ${path}: ${x.rps.toFixed(0)} req/s, RSS now ${fmt.mb(rssOf(d.pid))}`);
        } catch (err) {
          log(`  ${variant.name} ${path}: load failed (${err instanceof Error ? err.message.slice(0, 200) : String(err)}), RSS now ${fmt.mb(rssOf(d.pid))}`);
        }
      }
    } finally {
      clearInterval(sampler);
    }
    const after = probe(d.pid);
    // Check threads live from a sweep until 15 s after it: the lowest RSS of the minute is the daemon between sweeps.
    let low = after.rss;
    const lows = setInterval(() => (low = Math.min(low, rssOf(d.pid))), 500);
    await sleep(60_000);
    clearInterval(lows);
    const minute = probe(d.pid);
    return { before: before.rss, peak, after: after.rss, minute: minute.rss, low: Math.min(low, minute.rss), threads: { before: before.threads, after: after.threads, minute: minute.threads } };
  } finally {
    await d.stop();
  }
}

export async function run({ log = () => {}, restMs = 40_000, seconds = 2 } = {}) {
  const report = createReport('7. Memory (RSS of the daemon process)');
  const main = buildMain(log);
  const flags = startFlags(ROOT);
  const env = startEnv(ROOT);
  const ours = { name: 'ours', root: ROOT, flags, env };
  const variants = [
    ours,
    ...(flags.length > 0 || Object.keys(env).length > 0 ? [{ name: 'ours without start flags', root: ROOT, flags: [], env: {} }] : []),
    ...(main !== undefined ? [{ name: 'main', root: main, flags: startFlags(main), env: startEnv(main) }] : []),
  ];
  const mainVariant = variants.find((v) => v.name === 'main');
  const rest = {};
  const load = {};
  try {
    for (const v of variants) {
      rest[v.name] = await atRest(v, restMs);
      log(`${v.name}: at rest with 2 units ${fmt.mb(rest[v.name])}`);
    }
    for (const v of variants) {
      const data = await copyOfOurs(`memory-${variants.indexOf(v)}`, log);
      log(`${v.name}: 500 units, 30 days, 50 connections on ${ENDPOINTS.length} endpoints`);
      try {
        load[v.name] = await underLoad(v, data, seconds, log);
        const x = load[v.name];
        log(`${v.name}: before ${fmt.mb(x.before)} (${x.threads.before} threads), peak ${fmt.mb(x.peak)}, after ${fmt.mb(x.after)} (${x.threads.after} threads), a minute after ${fmt.mb(x.minute)} (${x.threads.minute} threads), lowest in that minute ${fmt.mb(x.low)}`);
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    }
  } finally {
    if (main !== undefined) rmSync(main, { recursive: true, force: true });
  }
  const b = (v) => (v === undefined ? 'n/a' : fmt.mb(v));
  const ratio = (o, m) => (m === undefined ? undefined : m / o);
  const o = load.ours;
  const base = load.main;
  report.row('at rest, 2 units', fmt.mb(rest.ours), b(rest.main), ratio(rest.ours, rest.main), '< 60 MB', rest.ours < 60e6);
  report.row('500 units + 30 days, before load', fmt.mb(o.before), b(base?.before), ratio(o.before, base?.before));
  report.row('  peak during 50-connection load', fmt.mb(o.peak), b(base?.peak), ratio(o.peak, base?.peak));
  report.row('  right after the load', fmt.mb(o.after), b(base?.after), ratio(o.after, base?.after), '< 150 MB', o.after < 150e6);
  report.row('  a minute after the load', fmt.mb(o.minute), b(base?.minute), ratio(o.minute, base?.minute), '< 120 MB', o.minute < 120e6);
  report.row('  lowest in that minute (between sweeps)', fmt.mb(o.low), b(base?.low), ratio(o.low, base?.low));
  const th = (x) => (x === undefined ? 'n/a' : `${x.threads.before} / ${x.threads.after} / ${x.threads.minute}`);
  report.note(`threads of the process before / right after / a minute after the load: ours ${th(o)}, baseline ${th(base)} (11 here with no check thread alive; each check thread is ~7 MB, alive from a sweep until 15 s after it).`);
  const nf = load['ours without start flags'];
  if (nf !== undefined) {
    const r = rest['ours without start flags'];
    report.note(`ours without the start flags (${startLine(ours)}), same run: at rest ${fmt.mb(r)}; 500 units before ${fmt.mb(nf.before)}, peak ${fmt.mb(nf.peak)}, after ${fmt.mb(nf.after)}, a minute after ${fmt.mb(nf.minute)}, lowest in that minute ${fmt.mb(nf.low)}; threads ${th(nf)}.`);
  }
  report.note(`baseline: ${main !== undefined ? `${BASELINE}'s code (git archive ${BASELINE}, built in this run), started the same way` : `none (${BASELINE} could not be built here)`}; the original Go daemon is not available on this machine.`);
  report.note(`RSS from /proc/PID/status VmRSS (all threads; includes the node binary's file pages). At rest = ${restMs / 1000} s after the first sample reached the disk, nothing asked over HTTP, interval 5 min, no DNS probe. Load = ${seconds} s at 50 connections on each of ${ENDPOINTS.join(', ')} in turn (keep-alive, identity encoding; history limited to its newest 100 samples, a full day of 500 units is tens of MB per answer), interval 1 min, fake systemctl. Environment and flags from each tree's package.json start script: ours ${startLine(ours)}${mainVariant !== undefined ? `, main ${startLine(mainVariant)}` : ''}.`);
  return report;
}
