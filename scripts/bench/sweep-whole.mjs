/**
 * Section "sweep-whole": what a sweep costs the host, counted whole. The
 * daemon runs as a process (dist/src/main.js) with 300 units of a real
 * systemd (the sandbox) and interval_minutes 0.05 (a sweep every 3 s); its
 * CPU is that of the whole process (utime + stime of all threads, plus
 * cutime + cstime of every reaped child: /proc/PID/stat fields 14-17), per
 * sweep in steady state after the first sample, minus the same figure for a
 * 1-unit daemon (what does not depend on the units). The baseline is a plain
 * shell loop of `systemctl is-active UNIT` per unit through the same systemd,
 * counted the same way (the shell's own stat, read by itself before it
 * exits). systemd's own CPU (PID 1 of the sandbox) is shown beside both.
 *
 * Section "sweep" (sweep.mjs) measures CheckPool.checkTargets alone inside
 * this process; this one is what an operator's `top` would show.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReport, dist, fmt, median, procTimes, sleep, until } from './lib.mjs';
import { benchUnits } from './sweep.mjs';

const UNITS = 300;
const INTERVAL_MIN = 0.05;
const INTERVAL_MS = INTERVAL_MIN * 60_000;

/** utime + stime + cutime + cstime of `pid`, ms. */
function wholeCpu(pid) {
  const t = procTimes(pid);
  return t.utime + t.stime + t.cutime + t.cstime;
}

function ownCpu(pid) {
  const t = procTimes(pid);
  return t.utime + t.stime;
}

/** Runs a daemon on `services`; after its first sample, measures `sweeps` sweeps; returns per-sweep CPU of it and of systemd. */
async function measureDaemon({ services, sweeps, sb, log, label }) {
  const { startDaemonProcess } = await dist('test/helpers/daemon.js');
  const dir = mkdtempSync(join(tmpdir(), 'jm-bench-whole-'));
  const targets = services.map((s, i) => ({ id: `u${i}`, name: s, service: s, timeout_seconds: 15 }));
  const daemon = await startDaemonProcess({
    dir,
    config: { node_id: 'bench', interval_minutes: INTERVAL_MIN, data_directory: join(dir, 'data'), monitor_dns: { enabled: false }, targets },
    pathPrepend: [sb.binDir],
  });
  try {
    const pid = daemon.child.pid;
    // Steady state: the first sample (every unit read in full) and one more sweep are left out.
    await until(async () => (await daemon.get('/api/status')).body?.checks?.length === services.length, 60_000, `${label}: first sample`);
    await sleep(INTERVAL_MS * 1.5);
    const c0 = wholeCpu(pid);
    const s0 = ownCpu(sb.pid1);
    await sleep(INTERVAL_MS * sweeps);
    const c1 = wholeCpu(pid);
    const s1 = ownCpu(sb.pid1);
    const r = { cpuMs: (c1 - c0) / sweeps, systemdMs: (s1 - s0) / sweeps };
    log(`${label}: ${fmt.ms(r.cpuMs)} per sweep (systemd ${fmt.ms(r.systemdMs)})`);
    return r;
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: `sh` looping `systemctl is-active` over the units; the shell reads its own stat last (a builtin, no extra child). */
function measureLoop(services, sb) {
  return new Promise((resolve, reject) => {
    const s0 = ownCpu(sb.pid1);
    const script = 'for u in "$@"; do systemctl is-active -- "$u" >/dev/null; done\nread -r line < /proc/$$/stat; echo "$line"';
    const child = spawn('/bin/sh', ['-c', script, 'sh', ...services], {
      env: { ...process.env, PATH: `${sb.binDir}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stat = out.trim().split('\n').pop() ?? '';
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (code !== 0 || f.length < 15) return reject(new Error(`is-active loop failed (exit ${code}): ${out.slice(-300)}`));
      const ms = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
      resolve({ cpuMs: ms, systemdMs: ownCpu(sb.pid1) - s0 });
    });
  });
}

export async function run({ rounds = 2, sweeps = 8, log = () => {} } = {}) {
  const report = createReport(`1b. Sweep cost counted whole: the daemon process with ${UNITS} units (real systemd sandbox)`);
  const { startSandbox, canRunSandbox } = await dist('test/helpers/sandbox.js');
  const can = canRunSandbox();
  if (!can.ok) {
    report.note(`skipped: the systemd sandbox cannot run here (${can.reason})`);
    return report;
  }
  const { units, boot } = benchUnits(UNITS);
  const services = Object.keys(units);
  log(`booting a sandbox with ${services.length} units (${boot.length} started)`);
  const sb = await startSandbox({ units, boot, bootTimeoutMs: 60_000 });
  const big = [];
  const one = [];
  const loop = [];
  try {
    for (let r = 0; r < rounds; r++) {
      big.push(await measureDaemon({ services, sweeps, sb, log, label: `round ${r + 1}/${rounds}: daemon, ${UNITS} units` }));
      one.push(await measureDaemon({ services: services.slice(0, 1), sweeps, sb, log, label: `round ${r + 1}/${rounds}: daemon, 1 unit` }));
      const l = await measureLoop(services, sb);
      loop.push(l);
      log(`round ${r + 1}/${rounds}: is-active loop ${fmt.ms(l.cpuMs)} (systemd ${fmt.ms(l.systemdMs)})`);
    }
  } finally {
    await sb.stop();
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  const ours = m(big, 'cpuMs') - m(one, 'cpuMs');
  const base = m(loop, 'cpuMs');
  report.row(`CPU per sweep, whole process (${UNITS} units − 1 unit)`, fmt.ms(ours), fmt.ms(base), base / ours, '≥25× less', base / ours >= 25);
  report.row(`  daemon with ${UNITS} units / with 1 unit`, `${fmt.ms(m(big, 'cpuMs'))} / ${fmt.ms(m(one, 'cpuMs'))}`, '');
  const sysOurs = m(big, 'systemdMs') - m(one, 'systemdMs');
  report.row('systemd (sandbox PID 1) CPU per sweep', fmt.ms(sysOurs), fmt.ms(m(loop, 'systemdMs')), m(loop, 'systemdMs') / sysOurs);
  report.row('CPU incl. systemd', fmt.ms(ours + sysOurs), fmt.ms(base + m(loop, 'systemdMs')), (base + m(loop, 'systemdMs')) / (ours + sysOurs));
  report.note(`median of ${rounds} rounds; each daemon measured over ${sweeps} sweeps (${fmt.s(sweeps * INTERVAL_MS)}) after its first sample and one more sweep; baseline = /bin/sh looping \`systemctl is-active -- UNIT\` over the same ${UNITS} units once, its own utime+stime+cutime+cstime. Both go through the sandbox's systemctl wrapper (sh + nsenter + setpriv + systemctl). Units: ${UNITS * 0.8} active, ${UNITS * 0.1} failed, ${UNITS * 0.1} never started. /proc times tick at 10 ms.`);
  return report;
}
