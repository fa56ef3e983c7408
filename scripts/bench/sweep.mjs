/**
 * Section "sweep": the CPU and wall time of one full check sweep of 500 units
 * in a real systemd (the sandbox: systemd as PID 1 of private namespaces),
 * ours (CheckPool.checkTargets: one `systemctl show` per batch of 50, in pool
 * workers) against the original's method (one `systemctl is-active UNIT`
 * process per unit, one after the other), alternated in the same run, both
 * through the sandbox's systemctl wrapper.
 *
 * CPU = this process (all threads) + every reaped descendant (cutime/cstime:
 * the wrapper's nsenter, setpriv and systemctl). systemd's own CPU (PID 1 of
 * the sandbox, answering the calls) is shown apart.
 */
import { execFile } from 'node:child_process';
import { createReport, cpuMeter, dist, fmt, median } from './lib.mjs';

const UNITS = 500;

/** 400 running `sleep infinity` services, 50 failed (`/bin/false`), 50 never started. */
export function benchUnits(n = UNITS) {
  const units = {};
  const boot = [];
  const kinds = {};
  for (let i = 0; i < n; i++) {
    const name = `jmb-${String(i).padStart(3, '0')}.service`;
    const kind = i % 10 === 8 ? 'failed' : i % 10 === 9 ? 'inactive' : 'active';
    units[name] = `[Unit]\nDescription=bench unit ${i} (${kind})\n\n[Service]\nExecStart=${kind === 'failed' ? '/bin/false' : '/bin/sleep infinity'}\n`;
    if (kind !== 'inactive') boot.push(name);
    kinds[name] = kind;
  }
  return { units, boot, kinds };
}

/** The original's check: `systemctl is-active SERVICE`, state = trimmed stdout ("unknown" when empty). */
function isActive(service, env, timeoutMs) {
  return new Promise((resolve) => {
    execFile('systemctl', ['is-active', service], { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout) => {
      const state = String(stdout).trim() || 'unknown';
      resolve({ state, ok: !err && state === 'active' });
    });
  });
}

async function originalSweep(services, env) {
  const out = [];
  for (const s of services) out.push(await isActive(s, env, 15_000));
  return out;
}

export async function run({ runs = 5, log = () => {} } = {}) {
  const report = createReport(`1. Sweep cost: ${UNITS} units in a real systemd (sandbox)`);
  const { startSandbox, canRunSandbox } = await dist('test/helpers/sandbox.js');
  const can = canRunSandbox();
  if (!can.ok) {
    report.note(`skipped: the systemd sandbox cannot run here (${can.reason})`);
    return report;
  }
  const { createCheckPool } = await dist('src/checks/pool.js');
  const { units, boot, kinds } = benchUnits();
  const services = Object.keys(units);
  log(`booting a sandbox with ${services.length} units (${boot.length} started)`);
  const bootStart = performance.now();
  const sb = await startSandbox({ units, boot, bootTimeoutMs: 60_000 });
  const bootMs = performance.now() - bootStart;
  const env = { ...process.env, PATH: `${sb.binDir}:${process.env.PATH}` };
  const pool = createCheckPool({ env });
  const targets = services.map((s, i) => ({ id: `unit-${i}`, name: s, service: s, timeout_seconds: 15, use_sudo: false }));
  const ours = [];
  const orig = [];
  let mismatches = 0;
  let wrongVsUnitFile = 0;
  const diag = {};
  try {
    // Warm-up: worker threads started, systemd's unit objects loaded, page cache warm.
    await pool.checkTargets(targets);
    await originalSweep(services.slice(0, 20), env);
    // Where a batch's cost goes: one process per call through the wrapper, and systemd's answer per unit.
    const { spawnSync } = await import('node:child_process');
    const fifty = services.slice(0, 50);
    const probe = (args) => {
      const m = cpuMeter([sb.pid1]);
      for (let k = 0; k < 5; k++) spawnSync('systemctl', args, { env, stdio: 'ignore' });
      const x = m.stop();
      return { children: x.childrenMs / 5, pid1: x.extraMs[0] / 5 };
    };
    diag.wrapper = probe(['--version']);
    diag.show = probe(['show', '--no-pager', '-p', 'Id,LoadState,ActiveState,SubState,Result,StateChangeTimestamp,NRestarts', '--', ...fifty]);
    diag.isActive = probe(['is-active', '--', ...fifty]);
    for (let r = 0; r < runs; r++) {
      const m1 = cpuMeter([sb.pid1]);
      const results = await pool.checkTargets(targets);
      const a = m1.stop();
      ours.push(a);
      const m2 = cpuMeter([sb.pid1]);
      const base = await originalSweep(services, env);
      const b = m2.stop();
      orig.push(b);
      for (let i = 0; i < services.length; i++) {
        if (results[i].state !== base[i].state || results[i].ok !== base[i].ok) mismatches++;
        const expected = kinds[services[i]];
        if (results[i].state !== expected) wrongVsUnitFile++;
      }
      log(`run ${r + 1}/${runs}: ours ${fmt.ms(a.wallMs)} wall, ${fmt.ms(a.selfMs + a.childrenMs)} cpu; original ${fmt.ms(b.wallMs)} wall, ${fmt.ms(b.selfMs + b.childrenMs)} cpu`);
    }
  } finally {
    await pool.close();
    await sb.stop();
  }
  const cpu = (xs) => median(xs.map((x) => x.selfMs + x.childrenMs));
  const cpuAll = (xs) => median(xs.map((x) => x.selfMs + x.childrenMs + x.extraMs[0]));
  const oursCpu = cpu(ours);
  const origCpu = cpu(orig);
  const oursWall = median(ours.map((x) => x.wallMs));
  const origWall = median(orig.map((x) => x.wallMs));
  report.row('CPU per sweep (process + children)', fmt.ms(oursCpu), fmt.ms(origCpu), origCpu / oursCpu, '≥10× less', origCpu / oursCpu >= 10);
  report.row('  of which this process', fmt.ms(median(ours.map((x) => x.selfMs))), fmt.ms(median(orig.map((x) => x.selfMs))));
  report.row('  of which child processes', fmt.ms(median(ours.map((x) => x.childrenMs))), fmt.ms(median(orig.map((x) => x.childrenMs))));
  report.row('systemd (sandbox PID 1) CPU', fmt.ms(median(ours.map((x) => x.extraMs[0]))), fmt.ms(median(orig.map((x) => x.extraMs[0]))));
  report.row('CPU incl. systemd', fmt.ms(cpuAll(ours)), fmt.ms(cpuAll(orig)), cpuAll(orig) / cpuAll(ours));
  report.row('wall time per sweep', fmt.ms(oursWall), fmt.ms(origWall), origWall / oursWall, '< 2 s', oursWall < 2000);
  report.row('systemctl processes per sweep', String(Math.ceil(UNITS / 50)), String(UNITS), UNITS / Math.ceil(UNITS / 50));
  report.row('results differing from is-active', String(mismatches), '', undefined, '0', mismatches === 0);
  const d = (x) => `${fmt.ms(x.children)} + systemd ${fmt.ms(x.pid1)}`;
  report.row('diagnostic: one call through the wrapper (--version)', d(diag.wrapper), '');
  report.row('diagnostic: systemctl show -p … of 50 units', d(diag.show), '');
  report.row('diagnostic: systemctl is-active of the same 50', d(diag.isActive), '');
  report.note(`median of ${runs} runs each, alternated; ${services.length} units: ${boot.length - services.length / 10} active (sleep infinity), ${services.length / 10} failed (/bin/false), ${services.length / 10} never started; sandbox boot ${fmt.ms(bootMs)}.`);
  report.note(`the baseline runs the original's check (systemctl is-active per unit, sequential, 15 s timeout) from Node's execFile through the same systemctl wrapper (nsenter + setpriv + systemctl), so both pay the wrapper per process; CPU of children comes from /proc/self/stat cutime+cstime (10 ms ticks).`);
  if (wrongVsUnitFile > 0) report.note(`${wrongVsUnitFile} result(s) did not match the unit's intended state (sandbox flakiness?)`);
  return report;
}
