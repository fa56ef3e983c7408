/**
 * A real systemd for integration tests: boots `scripts/systemd-sandbox.sh` (systemd as PID 1
 * of private namespaces, only the test's unit files) and talks to it through the
 * `systemctl` wrapper that script writes. See /work/shared/notes/real-systemd-in-tests.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** Whether this machine can boot the sandbox, and if not, why. */
export type SandboxCheck = { ok: true } | { ok: false; reason: string };

/** What a finished (or killed) command left behind. */
export interface CommandResult {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when `timeoutMs` ran out and we killed the process group. */
  timedOut: boolean;
}

/** A booted sandbox. Every method but `stop` needs it running. */
export interface Sandbox {
  /** Host PID of the sandbox's PID 1 (systemd). */
  readonly pid1: number;
  /** Holds units/, console.log, ...; removed by `stop`. */
  readonly stateDir: string;
  /** Holds the `systemctl` wrapper: put it first on a daemon's PATH. */
  readonly binDir: string;
  /** The sandbox's cgroup2 directory on the host; removed by `stop`. */
  readonly cgroup: string;
  /** Runs systemctl inside the sandbox (args verbatim); killed after 30 s as a backstop. */
  systemctl(...args: string[]): Promise<CommandResult>;
  /** Polls `is-active UNIT` until it prints `state` or `timeoutMs` passes; returns the last state seen. */
  waitForState(unit: string, state: string, timeoutMs?: number): Promise<string>;
  /** Writes `units/NAME` and runs `daemon-reload`. */
  addUnit(name: string, content: string): Promise<void>;
  /** SIGSTOPs PID 1: systemctl calls then hang until `thaw`. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Stops systemd, kills what is left, removes the cgroup and the state dir. Idempotent. */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** Unit file name -> content, written to the sandbox's unit path (the only one it has). */
  units: Record<string, string>;
  /**
   * Units started at boot. Only units whose start job completes: boot waits for the job
   * queue to drain, so a Type=notify that never notifies must be started later with
   * `systemctl start --no-block`.
   */
  boot: string[];
  /** Boot deadline, rounded up to whole seconds; default 10 s. */
  bootTimeoutMs?: number;
  /** Where to create the state dir; default os.tmpdir(). Its path also names the cgroup. */
  tmpRoot?: string;
}

const CGROUP2_SUPER_MAGIC = 0x63677270;
const SYSTEMD = '/lib/systemd/systemd';
const SYSTEMCTL_BACKSTOP_MS = 30_000;

/** The repository root: the nearest ancestor of this file holding package.json (works from test/ and dist/test/). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** Path of the sandbox script. */
export function sandboxScript(): string {
  return join(projectRoot(), 'scripts', 'systemd-sandbox.sh');
}

/** Reads test/fixtures/units/*.service (or just `names`) into a `units` map for `startSandbox`. */
export async function readFixtureUnits(names?: readonly string[]): Promise<Record<string, string>> {
  const dir = join(projectRoot(), 'test', 'fixtures', 'units');
  const files = names ?? (await readdir(dir)).filter((f) => /^[^.].*\.(service|target|timer|socket|path|slice)$/.test(f));
  const units: Record<string, string> = {};
  for (const f of files) units[f] = await readFile(join(dir, f), 'utf8');
  return units;
}

/** Checks, without side effects on the host, everything the sandbox needs. */
export function canRunSandbox(): SandboxCheck {
  if (process.platform !== 'linux') return { ok: false, reason: `platform is ${process.platform}, not linux` };
  const uid = process.getuid?.();
  if (uid !== 0) return { ok: false, reason: `not root (uid ${String(uid)})` };
  try {
    accessSync(SYSTEMD, constants.X_OK);
  } catch {
    return { ok: false, reason: `${SYSTEMD} is missing` };
  }
  for (const tool of ['systemctl', 'nsenter', 'setpriv', 'script', 'timeout']) {
    const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (r.error) return { ok: false, reason: `${tool} not found (${r.error.message})` };
  }
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount', '--cgroup', '--uts', '--ipc', '--', 'true'], {
    encoding: 'utf8',
  });
  if (probe.error || probe.status !== 0) {
    return { ok: false, reason: `unshare cannot make namespaces: ${probe.error?.message ?? probe.stderr.trim()}` };
  }
  const cgroup2 = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].some((p) => {
    try {
      return statfsSync(p).type === CGROUP2_SUPER_MAGIC;
    } catch {
      return false;
    }
  });
  if (!cgroup2) return { ok: false, reason: 'no cgroup2 mount at /sys/fs/cgroup or /sys/fs/cgroup/unified' };
  if (!existsSync(sandboxScript())) return { ok: false, reason: `${sandboxScript()} is missing` };
  return { ok: true };
}

/**
 * Gate for tests that boot a sandbox. Returns true when they can run. Otherwise it skips
 * the test with the reason, except under CI (`env.CI` set), where it throws so the suite
 * fails instead of silently testing nothing.
 */
export function gateSandbox(
  t: Pick<TestContext, 'skip'>,
  check: SandboxCheck = canRunSandbox(),
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (check.ok) return true;
  if (env['CI']) throw new Error(`CI must run the systemd sandbox, but it cannot here: ${check.reason}`);
  t.skip(`needs root to boot systemd in a namespace: ${check.reason}`);
  return false;
}

/**
 * Runs `file` with `args` (no shell) in its own process group; after `timeoutMs` the whole
 * group gets SIGKILL, which is how a caller must bound the sandbox's systemctl wrapper.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + err.message, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function checkUnitName(name: string): void {
  if (!/^[A-Za-z0-9:_.@\\-]+$/.test(name) || name.startsWith('.')) {
    throw new TypeError(`not a plain unit file name: ${JSON.stringify(name)}`);
  }
}

/** Boots a sandbox with `opts.units`; rejects with the script's diagnostics if it cannot. */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const script = sandboxScript();
  const stateDir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'jm-sandbox-'));
  const unitsDir = join(stateDir, 'units');
  const binDir = join(stateDir, 'bin');
  await mkdir(unitsDir);
  for (const [name, content] of Object.entries(opts.units)) {
    checkUnitName(name);
    await writeFile(join(unitsDir, name), content);
  }
  for (const name of opts.boot) checkUnitName(name);
  await writeFile(join(stateDir, 'boot-units'), opts.boot.map((u) => `${u}\n`).join(''));

  const bootSeconds = Math.max(1, Math.ceil((opts.bootTimeoutMs ?? 10_000) / 1000));
  const started = await runCommand(script, ['start', stateDir], {
    timeoutMs: (bootSeconds + 15) * 1000,
    env: { ...process.env, SANDBOX_BOOT_TIMEOUT: String(bootSeconds) },
  });
  const pid1 = Number(started.stdout.trim());
  if (started.code !== 0 || !Number.isInteger(pid1) || pid1 <= 1) {
    await runCommand(script, ['stop', stateDir], { timeoutMs: 15_000 });
    await rm(stateDir, { recursive: true, force: true });
    throw new Error(
      `systemd sandbox did not boot (exit ${String(started.code ?? started.signal)}):\n${started.stderr}${started.stdout}`,
    );
  }
  const cgroup = (await readFile(join(stateDir, 'cgroup'), 'utf8')).trim();
  const wrapper = join(binDir, 'systemctl');
  let stopped = false;

  const systemctl = (...args: string[]): Promise<CommandResult> =>
    runCommand(wrapper, args, { timeoutMs: SYSTEMCTL_BACKSTOP_MS });

  const signal = async (sub: 'freeze' | 'thaw'): Promise<void> => {
    const r = await runCommand(script, [sub, stateDir], { timeoutMs: 5_000 });
    if (r.code !== 0) throw new Error(`systemd-sandbox.sh ${sub} failed: ${r.stderr}`);
  };

  return {
    pid1,
    stateDir,
    binDir,
    cgroup,
    systemctl,
    async waitForState(unit, state, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = (await systemctl('is-active', unit)).stdout.trim();
        if (seen === state || Date.now() >= deadline) return seen;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async addUnit(name, content) {
      checkUnitName(name);
      await writeFile(join(unitsDir, name), content);
      const r = await systemctl('daemon-reload');
      if (r.code !== 0) throw new Error(`daemon-reload failed: ${r.stderr}`);
    },
    freeze: () => signal('freeze'),
    thaw: () => signal('thaw'),
    async stop() {
      if (stopped) return;
      const r = await runCommand(script, ['stop', stateDir], { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`systemd-sandbox.sh stop failed (state kept in ${stateDir}): ${r.stderr}`);
      stopped = true;
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
