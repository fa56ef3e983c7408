/**
 * Section "isolation":
 *
 * A. p99 latency of GET /api/node/status on a running daemon (dist/src/main.js)
 *    while 100 checks hang until their timeouts, against the same daemon idle.
 *    The checks use test/fixtures/fake-systemctl: a `hang*` unit makes it
 *    start `sleep 30` as a child of its shell and wait, so the sleep holds the
 *    output pipe (the case that stalled the original). Requests are paced at a
 *    fixed rate from a separate process; latency counts from when each
 *    request was due.
 *
 * B. 1,000 forced timeouts through the real check pool in this process: child
 *    processes left alive afterwards (the fake records every shell and sleep
 *    PID) and file descriptors before and after. Baseline: the same hangs
 *    killed the way the original's exec.CommandContext does (the direct child
 *    only), which leaves the sleeps behind.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, createReport, dist, fdCount, fmt, median, runNodeJson, sleep, until } from './lib.mjs';

const FAKE = join(ROOT, 'test', 'fixtures', 'fake-systemctl');
const LOAD = join(ROOT, 'scripts', 'bench', 'load.mjs');

function fakeBin(dir) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(FAKE, join(bin, 'systemctl'));
  return bin;
}

/** True while `pid` exists and is not a zombie. */
function isLive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

function recordedPids(file) {
  try {
    return [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number))];
  } catch {
    return [];
  }
}

/** Direct children of this process that are zombies (exited, not reaped). */
function zombieChildren() {
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === process.pid && f[0] === 'Z') n++;
    } catch {
      // gone
    }
  }
  return n;
}

/**
 * A `systemctl` for the daemon: while FLAG exists, hang* units hang (the fake's
 * behaviour); otherwise they answer as ok* units do. So one warmed-up daemon
 * can be measured idle and hanging.
 */
function switchableBin(dir, flag) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const script = [
    '#!/bin/bash',
    `if [ -e ${JSON.stringify(flag)} ]; then exec ${JSON.stringify(FAKE)} "$@"; fi`,
    'args=()',
    'for a in "$@"; do args+=("${a/#hang/ok}"); done',
    `exec ${JSON.stringify(FAKE)} "\${args[@]}"`,
    '',
  ].join('\n');
  writeFileSync(join(bin, 'systemctl'), script, { mode: 0o755 });
  return bin;
}

async function latencyPhases(report, { rate, seconds, rounds, log }) {
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-iso-'));
  const flag = join(dir, 'hang');
  const pidFile = join(dir, 'pids');
  const bin = switchableBin(dir, flag);
  const n = 100;
  const targets = Array.from({ length: n }, (_, i) => ({
    id: `hang-${i}`,
    name: `Hanging ${i}`,
    service: `hang-${String(i).padStart(3, '0')}.service`,
    timeout_seconds: 2,
  }));
  const data = join(dir, 'data');
  // interval 0.1 min: a sweep every 6 s, idle or not; a hanging sweep takes ~40 s (2 batches, then 100 single retries).
  const daemon = await startDaemonProcess({
    dir,
    config: { node_id: 'bench', node_name: 'bench', interval_minutes: 0.1, data_directory: data, targets },
    pathPrepend: [bin],
    env: { FAKE_SYSTEMCTL_PIDS: pidFile },
  });
  const url = `${daemon.url}/api/node/status`;
  const measure = (s = seconds) => runNodeJson(LOAD, ['--url', url, '--rate', String(rate), '--duration', String(s)], { timeoutMs: (s + 30) * 1000 });
  const hanging = () => recordedPids(pidFile).filter(isLive).length;
  try {
    await until(async () => (await daemon.get('/api/node/status')).body?.status !== undefined, 30_000, 'the first sweep');
    log('warming up the daemon');
    await measure(3);
    const idle = [];
    const busy = [];
    const alive = [];
    for (let r = 0; r < rounds; r++) {
      log(`round ${r + 1}/${rounds}: idle`);
      idle.push(await measure());
      writeFileSync(flag, '');
      await until(() => hanging() >= 2, 30_000, 'checks to hang');
      log(`round ${r + 1}/${rounds}: hanging (${hanging()} fake systemctl/sleep processes alive)`);
      const before = hanging();
      busy.push(await measure());
      alive.push(Math.min(before, hanging()));
      rmSync(flag);
      // Checks in flight time out within 2 s; the retries then answer at once.
      await until(() => hanging() === 0, 30_000, 'the hanging checks to end');
      await sleep(1000);
    }
    const p = (xs, k) => median(xs.map((x) => x.latencyMs[k]));
    const ratio = p(busy, 'p99') / p(idle, 'p99');
    report.row('p99 GET /api/node/status, hanging vs idle', fmt.ms(p(busy, 'p99')), fmt.ms(p(idle, 'p99')), 1 / ratio, '≤ 1.5× idle', ratio <= 1.5);
    report.row('  p50', fmt.ms(p(busy, 'p50')), fmt.ms(p(idle, 'p50')), p(idle, 'p50') / p(busy, 'p50'));
    report.row('  max', fmt.ms(p(busy, 'max')), fmt.ms(p(idle, 'max')));
    const sum = (xs, k) => xs.reduce((a, x) => a + x[k], 0);
    report.row('  requests (errors)', `${sum(busy, 'requests')} (${sum(busy, 'errors')})`, `${sum(idle, 'requests')} (${sum(idle, 'errors')})`);
    report.note(`A: ${n} targets (timeout 2 s) on a daemon process sweeping every 6 s; ${rate} req/s from a separate process, ${rounds} rounds of ${seconds} s idle then ${seconds} s hanging (medians of the rounds' percentiles), after a 3 s warm-up. Idle = the same daemon and units answering at once. At least ${Math.min(...alive)} fake systemctl + sleep processes were hanging throughout each hanging phase. "ratio" = idle / hanging (≥ 0.67 meets the target). Per-round p99 idle: ${idle.map((x) => fmt.ms(x.latencyMs.p99)).join(', ')}; hanging: ${busy.map((x) => fmt.ms(x.latencyMs.p99)).join(', ')}.`);
  } finally {
    await daemon.stop();
    for (const pid of recordedPids(pidFile)) if (isLive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function forcedTimeouts(report, { count, log }) {
  const { createCheckPool } = await dist('src/checks/pool.js');
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-to-'));
  const bin = fakeBin(dir);
  const pidFile = join(dir, 'pids');
  const threads = 12;
  const timeoutS = 0.2;
  const pool = createCheckPool({ maxThreads: threads, minThreads: threads, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_SYSTEMCTL_PIDS: pidFile } });
  const targets = (k) => Array.from({ length: k }, (_, i) => ({ id: `h${i}`, name: `h${i}`, service: `hang-${i}.service`, timeout_seconds: timeoutS, use_sudo: false }));
  try {
    // Warm-up: every thread started and has run a job, so its own descriptors are already counted.
    await pool.checkTargets(targets(threads * 2), { batchSize: 1 });
    await sleep(1000);
    const fdsBefore = fdCount();
    const before = pool.stats().timeouts;
    const t0 = performance.now();
    let results = [];
    while (pool.stats().timeouts - before < count) {
      results = await pool.checkTargets(targets(Math.min(250, count - (pool.stats().timeouts - before))), { batchSize: 1 });
    }
    const elapsed = performance.now() - t0;
    const timeouts = pool.stats().timeouts - before;
    // Give exits, pipe closes and reaping their moment (runTimed releases them "soon after" the answer).
    await sleep(1500);
    const fdsAfter = fdCount();
    const pids = recordedPids(pidFile);
    const alive = pids.filter(isLive);
    const zombies = zombieChildren();
    log(`${timeouts} timeouts in ${fmt.s(elapsed)}; ${pids.length} fake processes recorded, ${alive.length} alive`);
    report.row(`processes left alive after ${fmt.n(timeouts)} timeouts`, String(alive.length), '', undefined, '0', alive.length === 0);
    report.row('  exited but not yet reaped (zombies)', String(zombies), '', undefined, '0', zombies === 0);
    report.row('file descriptors, after − before', `${fdsAfter - fdsBefore} (${fdsBefore} → ${fdsAfter})`, '', undefined, '0', fdsAfter - fdsBefore <= 0);
    report.note(`B: ${fmt.n(timeouts)} timeouts (hang units, timeout ${timeoutS} s, one unit per job, pool of ${threads} threads) in ${fmt.s(elapsed)}; ${pids.length} shell/sleep PIDs recorded by the fake, checked 1.5 s after the last answer; last result: ${JSON.stringify(results[0]?.error)}.`);
  } finally {
    await pool.close();
    for (const pid of recordedPids(pidFile)) if (isLive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The original's kill on timeout: the direct child only (Go's exec.CommandContext). */
async function originalTimeouts(report, { count }) {
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-to0-'));
  const bin = fakeBin(dir);
  const pidFile = join(dir, 'pids');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_SYSTEMCTL_PIDS: pidFile };
  const one = (i) =>
    new Promise((resolve) => {
      const child = spawn('systemctl', ['show', '--', `hang-${i}.service`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.resume();
      child.stderr.resume();
      const timer = setTimeout(() => child.kill('SIGKILL'), 200);
      // Go's CommandContext kills only this process; its Wait then also blocks until the orphan closes the pipe (the original's 30 s stall). Only what is left behind is counted here.
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  try {
    for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, k) => one(i + k)));
    await sleep(1500);
    const alive = recordedPids(pidFile).filter(isLive);
    report.row(`orphans, original's kill (direct child only), ${count} timeouts`, '', String(alive.length));
  } finally {
    for (const pid of recordedPids(pidFile)) if (isLive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ log = () => {}, rate = 200, seconds = 5, rounds = 6, timeouts = 1000 } = {}) {
  const report = createReport('2. Isolation: API latency while checks hang; leaks after forced timeouts');
  await latencyPhases(report, { rate, seconds, rounds, log });
  await forcedTimeouts(report, { count: timeouts, log });
  await originalTimeouts(report, { count: 100 });
  return report;
}
