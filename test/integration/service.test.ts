/**
 * JobMonitor as a systemd service: scripts/install.sh and scripts/jobmonitor.service.
 *
 * The sandbox part runs the real installer INSIDE a real systemd (PID 1 of private
 * namespaces): /etc, /opt, /var/lib and /var/log are overlays on a tmpfs that dies with
 * the sandbox, so the system user, /opt/jobmonitor, /etc/jobmonitor and the sudoers file
 * exist only in there. The unit goes to the sandbox's unit path (--unit-dir), the
 * installer starts it with systemctl, and the daemon, as the unprivileged user under the
 * full hardening, reads its sibling units over the system bus (a dbus-daemon unit in the
 * sandbox, as on a real host) and answers on the host's 127.0.0.1.
 *
 * The staging part (--root) needs no root and always runs.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  canRunSandbox,
  gateSandbox,
  projectRoot,
  readFixtureUnits,
  runCommand,
  sandboxScript,
  startSandbox,
  type CommandResult,
  type Sandbox,
} from '../helpers/sandbox.js';
import { eventually, tempDir } from '../helpers/daemon.js';

const ROOT = projectRoot();
const INSTALL = join(ROOT, 'scripts', 'install.sh');
const INSTALL_MS = 120_000;

/** The stock dbus units (Debian's, without activation extras): the system bus an unprivileged `systemctl show` needs. */
const DBUS_UNITS = {
  'dbus.socket': '[Unit]\nDescription=D-Bus System Message Bus Socket\n[Socket]\nListenStream=/run/dbus/system_bus_socket\n',
  'dbus.service':
    '[Unit]\nDescription=D-Bus System Message Bus\nRequires=dbus.socket\n[Service]\nType=notify\nNotifyAccess=main\n' +
    'ExecStart=/usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only\n',
};

type Check = { id: string; ok: boolean; state: string; error?: string; sub_state?: string };
type Status = { timestamp: string; checks: Check[] };

const config = (opts: { sudo?: boolean } = {}) =>
  [
    'interval_minutes: 0.05 # a sample every 3 s',
    'data_directory: /var/lib/jobmonitor',
    'node_id: service-test',
    'targets:',
    '  - id: ok',
    '    service: jm-ok.service',
    '  - id: failed',
    '    service: jm-failed.service',
    ...(opts.sudo ? ['    use_sudo: true'] : []),
    '',
  ].join('\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Like gateSandbox, for a program the test needs besides the sandbox. */
function gateTool(t: TestContext, path: string, why: string): boolean {
  if (executable(path)) return true;
  if (process.env['CI']) throw new Error(`CI must run this test, but ${path} is missing (${why})`);
  t.skip(`${path} is missing (${why})`);
  return false;
}

/** The `/proc/PID/status` fields that show what the hardening did to the daemon. */
interface ProcessFacts {
  uid: string;
  noNewPrivs: string;
  seccomp: string;
  capBnd: bigint;
}

function explain(r: CommandResult): string {
  return `exit ${String(r.code ?? r.signal)}${r.timedOut ? ' (timed out)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

const CAP_SETGID = 6n;
const CAP_SETUID = 7n;
const CAP_AUDIT_WRITE = 29n;
const caps = (...bits: bigint[]) => bits.reduce((m, b) => m | (1n << b), 0n);

describe('the service installed into a real systemd', { concurrency: false }, () => {
  let sandbox: Sandbox | undefined;
  let port = 0;
  const host = tempDir('jm-service-');
  const skip = !canRunSandbox().ok || !executable('/usr/bin/dbus-daemon');

  /** Runs a command inside the sandbox (its mounts, its PID namespace, its systemd). */
  const inSandbox = (...args: string[]) =>
    runCommand(sandboxScript(), ['exec', sandbox!.stateDir, ...args], { timeoutMs: INSTALL_MS });

  const must = async (...args: string[]) => {
    const r = await inSandbox(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${explain(r)}`);
    return r.stdout;
  };

  /** Writes `content` to `path` inside the sandbox (through a host file: the sandbox shares the host's /tmp). */
  const put = async (path: string, content: string, mode: string, group = 'root') => {
    const staged = join(host, `put-${Math.random().toString(36).slice(2)}`);
    writeFileSync(staged, content);
    await must('install', '-D', '-m', mode, '-o', 'root', '-g', group, staged, path);
  };
  /** The config as the installer leaves it: readable by the service's group only. */
  const putConfig = (content: string) => put('/etc/jobmonitor/config.yaml', content, '0640', 'jobmonitor');

  const install = (...extra: string[]) =>
    inSandbox('bash', INSTALL, '--addr', `127.0.0.1:${port}`, '--unit-dir', join(sandbox!.stateDir, 'units'), ...extra);

  const api = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  /** The first sample taken after now that satisfies `pred`. */
  const nextSample = async (pred: (s: Status) => boolean, what: string) => {
    const since = Date.now();
    return eventually(async () => {
      const s = (await api('/api/status')).body as Status;
      return s.timestamp !== null && Date.parse(s.timestamp) > since && pred(s) ? s : undefined;
    }, 30_000, what);
  };

  const mainPid = async () => (await sandbox!.systemctl('show', '-p', 'MainPID', '--value', 'jobmonitor.service')).stdout.trim();

  const processFacts = async (): Promise<ProcessFacts> => {
    const status = await must('cat', `/proc/${await mainPid()}/status`);
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
    return {
      uid: field('Uid').split(/\s+/)[0] ?? '',
      noNewPrivs: field('NoNewPrivs'),
      seccomp: field('Seccomp'),
      capBnd: BigInt(`0x${field('CapBnd')}`),
    };
  };

  const byId = (s: Status) => Object.fromEntries(s.checks.map((c) => [c.id, c]));

  before(async () => {
    if (skip) return;
    port = await freePort();
    sandbox = await startSandbox({
      units: { ...(await readFixtureUnits(['jm-ok.service', 'jm-failed.service'])), ...DBUS_UNITS },
      boot: ['dbus.socket', 'dbus.service', 'jm-ok.service', 'jm-failed.service'],
    });
    await sandbox.waitForState('jm-failed.service', 'failed');
    // Everything the installer writes lands in these overlays, never on the host.
    const layers = join(sandbox.stateDir, 'layers');
    await must('mkdir', '-p', layers);
    await must('mount', '-t', 'tmpfs', '-o', 'mode=0700', 'jm-layers', layers);
    for (const dir of ['/etc', '/opt', '/var/lib', '/var/log']) {
      const name = dir.slice(1).replaceAll('/', '_');
      await must('mkdir', '-p', `${layers}/${name}/upper`, `${layers}/${name}/work`);
      await must('mount', '-t', 'overlay', 'overlay', '-o',
        `lowerdir=${dir},upperdir=${layers}/${name}/upper,workdir=${layers}/${name}/work`, dir);
    }
  });
  after(async () => {
    await sandbox?.stop();
    await rm(host, { recursive: true, force: true });
  });

  test('install.sh creates the user, installs, starts the hardened unit, and it watches its siblings', async (t) => {
    if (!gateSandbox(t) || !gateTool(t, '/usr/bin/dbus-daemon', 'an unprivileged systemctl reads unit state over the system bus')) return;
    const seeded = config();
    await put('/etc/jobmonitor/config.yaml', seeded, '0644');

    const r = await install();
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /created system user jobmonitor/);
    assert.match(r.stdout, /keeping the existing config/);
    assert.equal(await sandbox!.waitForState('jobmonitor.service', 'active'), 'active');

    const status = await nextSample(() => true, 'a sample from the service');
    const c = byId(status);
    assert.deepEqual([c['ok']?.ok, c['ok']?.state], [true, 'active'], JSON.stringify(status));
    assert.deepEqual([c['failed']?.ok, c['failed']?.state, c['failed']?.sub_state], [false, 'failed', 'failed'], JSON.stringify(status));

    // The dashboard and the other routes work from the installed copy, under the hardening.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.equal((await api('/healthz')).status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^jobmonitor_target_up\{[^}]*target="failed"[^}]*\} 0$/m);
    assert.match(metrics, /^process_open_fds\b/m, 'process metrics read /proc/self despite ProtectProc=invisible');

    // It really runs as the system user, with the hardening applied by the kernel.
    const uid = (await must('id', '-u', 'jobmonitor')).trim();
    const facts = await processFacts();
    assert.equal(facts.uid, uid, 'runs as jobmonitor');
    assert.equal(facts.noNewPrivs, '1');
    assert.equal(facts.seccomp, '2', 'a seccomp filter is installed (SystemCallFilter, SystemCallArchitectures, ...)');
    assert.equal(facts.capBnd, 0n, 'no capabilities can ever be gained');
    const shown = (await sandbox!.systemctl('show', 'jobmonitor.service', '-p',
      'User,ProtectSystem,ProtectHome,PrivateTmp,PrivateDevices,RestrictNamespaces,MemoryDenyWriteExecute,KillMode,Restart,TimeoutStopUSec')).stdout;
    for (const line of ['User=jobmonitor', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'PrivateDevices=yes',
      'RestrictNamespaces=yes', 'MemoryDenyWriteExecute=no', 'KillMode=mixed', 'Restart=on-failure', 'TimeoutStopUSec=15s']) {
      assert.ok(shown.split('\n').includes(line), `${line} in\n${shown}`);
    }

    // The config it was given is kept as is, and only the service's group may read it.
    assert.equal(await must('cat', '/etc/jobmonitor/config.yaml'), seeded);
    assert.equal((await must('stat', '-c', '%a %U %G', '/etc/jobmonitor/config.yaml')).trim(), '640 root jobmonitor');
    assert.equal((await must('stat', '-c', '%U %G', '/var/lib/jobmonitor')).trim(), 'jobmonitor jobmonitor');
    assert.match(await must('ls', '/var/lib/jobmonitor'), /status-\d{4}-\d{2}-\d{2}\.jsonl/);
    // The code belongs to root: the service cannot rewrite what it runs.
    assert.equal((await must('stat', '-c', '%U %a', '/opt/jobmonitor', '/opt/jobmonitor/dist/src/main.js')).trim(), 'root 755\nroot 644');
  });

  test('a use_sudo target: the installer relaxes exactly what sudo needs, and the printed sudoers rule works', async (t) => {
    if (!gateSandbox(t) || !gateTool(t, '/usr/bin/dbus-daemon', 'see above') ||
      !gateTool(t, '/usr/bin/sudo', 'use_sudo targets run sudo -n')) return;
    await putConfig(config({ sudo: true }));
    const r = await install();
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /50-use-sudo\.conf/);
    assert.ok(existsSync(join(sandbox!.stateDir, 'units', 'jobmonitor.service.d', '50-use-sudo.conf')));

    // sudo itself runs (no_new_privs is off); without a rule it refuses instead of prompting.
    const refused = await nextSample((s) => byId(s)['failed']?.state === 'unknown', 'sudo refusing without a rule');
    assert.match(byId(refused)['failed']?.error ?? '', /sudo: a password is required/);

    const rules = r.stdout.split('\n').filter((l) => l.startsWith('jobmonitor ALL=(root) NOPASSWD: '));
    assert.equal(rules.length, 2, r.stdout);
    assert.match(rules[1] ?? '', /systemctl \^list-units --all /, 'the cheap per-sweep call is allowed too');
    await put('/etc/sudoers.d/jobmonitor', `${rules.join('\n')}\n`, '0440');
    await must('visudo', '-c');
    const viaSudo = await nextSample((s) => byId(s)['failed']?.state === 'failed', 'the sudo target read through sudo');
    assert.equal(byId(viaSudo)['failed']?.sub_state, 'failed');
    assert.equal(byId(viaSudo)['ok']?.state, 'active', 'the other target still reads over the bus');

    const facts = await processFacts();
    assert.equal(facts.noNewPrivs, '0');
    assert.equal(facts.capBnd, caps(CAP_SETUID, CAP_SETGID, CAP_AUDIT_WRITE), 'only what sudo needs passes the bounding set');
    assert.notEqual(facts.uid, '0', 'still unprivileged itself');

    // The rule allows the daemon's read-only command and nothing else.
    const denied = await inSandbox('sudo', '-l', '-U', 'jobmonitor', 'systemctl', 'stop', 'jm-ok.service');
    assert.notEqual(denied.code, 0, explain(denied));

    // Taking use_sudo away (and re-running) restores the full hardening.
    await putConfig(config());
    const again = await install();
    assert.equal(again.code, 0, explain(again));
    assert.ok(!existsSync(join(sandbox!.stateDir, 'units', 'jobmonitor.service.d', '50-use-sudo.conf')));
    await sandbox!.waitForState('jobmonitor.service', 'active');
    assert.equal((await processFacts()).noNewPrivs, '1');
  });

  test('systemctl stop ends it cleanly', async (t) => {
    if (!gateSandbox(t) || !gateTool(t, '/usr/bin/dbus-daemon', 'see above')) return;
    await sandbox!.waitForState('jobmonitor.service', 'active');
    const r = await sandbox!.systemctl('stop', 'jobmonitor.service');
    assert.equal(r.code, 0, explain(r));
    assert.equal(await sandbox!.waitForState('jobmonitor.service', 'inactive'), 'inactive');
    const shown = (await sandbox!.systemctl('show', 'jobmonitor.service', '-p', 'Result,ExecMainStatus')).stdout;
    assert.match(shown, /^Result=success$/m, 'exit 0 on SIGTERM, not killed');
    assert.match(shown, /^ExecMainStatus=0$/m);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'nothing listens any more');
  });

  test('a broken config stops it at ExecStartPre, before the daemon starts', async (t) => {
    if (!gateSandbox(t) || !gateTool(t, '/usr/bin/dbus-daemon', 'see above')) return;
    await putConfig(config().replace('interval_minutes: 0.05', 'interval_minutes: often'));
    try {
      // What ExecStartPre runs, as the service's user: it can read the file and finds the problem.
      const unit = readFileSync(join(sandbox!.stateDir, 'units', 'jobmonitor.service'), 'utf8');
      const pre = (/^ExecStartPre=(.*)$/m.exec(unit)?.[1] ?? '').split(' ');
      const asUser = await inSandbox('setpriv', '--reuid=jobmonitor', '--regid=jobmonitor', '--init-groups', '--', ...pre);
      assert.equal(asUser.code, 2, explain(asUser));
      assert.match(asUser.stderr, /interval_minutes: expected a number, got string "often"/);

      const consoleLog = join(sandbox!.stateDir, 'console.log');
      const logged = readFileSync(consoleLog, 'utf8').length;
      const r = await sandbox!.systemctl('start', 'jobmonitor.service');
      assert.notEqual(r.code, 0, 'the start job fails');
      // systemd writes the console after the start job has failed: read until the line is there (or 10 s).
      const exited = /jobmonitor\.service: Control process exited, code=exited, status=2/;
      for (let i = 0; i < 100 && !exited.test(readFileSync(consoleLog, 'utf8').slice(logged)); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(readFileSync(consoleLog, 'utf8').slice(logged), exited);
      const shown = (await sandbox!.systemctl('show', 'jobmonitor.service', '-p', 'Result')).stdout;
      assert.match(shown, /^Result=exit-code$/m);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the daemon itself never started');
    } finally {
      // Restart=on-failure would retry every 5 s; stop that, then mend the config.
      await sandbox!.systemctl('stop', 'jobmonitor.service');
      await putConfig(config());
    }
  });

  test('without a system bus, an unprivileged service reports every unit unknown and says why', async (t) => {
    if (!gateSandbox(t) || !gateTool(t, '/usr/bin/dbus-daemon', 'see above')) return;
    const started = await sandbox!.systemctl('start', 'jobmonitor.service');
    assert.equal(started.code, 0, explain(started));
    await nextSample((s) => byId(s)['ok']?.state === 'active', 'a sample with the bus up');
    const r = await sandbox!.systemctl('stop', 'dbus.socket', 'dbus.service');
    assert.equal(r.code, 0, explain(r));
    const s = await nextSample((x) => x.checks.every((c) => c.state === 'unknown'), 'a sample without the bus');
    for (const c of s.checks) assert.match(c.error ?? '', /Failed to connect to bus/, JSON.stringify(c));
  });
});

describe('install.sh --root (a staging root)', { concurrency: false }, () => {
  const stage = tempDir('jm-stage-');
  const run = (...args: string[]) => runCommand('bash', [INSTALL, '--root', stage, ...args], { timeoutMs: INSTALL_MS });
  const at = (p: string) => join(stage, p);
  const unitFile = at('etc/systemd/system/jobmonitor.service');
  const sudoDropIn = at('etc/systemd/system/jobmonitor.service.d/50-use-sudo.conf');
  const configFile = at('etc/jobmonitor/config.yaml');
  after(() => rm(stage, { recursive: true, force: true }));

  test('stages the app with production dependencies only, a rendered unit and a valid starter config', async () => {
    const r = await run();
    assert.equal(r.code, 0, explain(r));
    for (const p of ['dist/src/main.js', 'dist/workers', 'public/index.html', 'node_modules/koa', 'node_modules/piscina', 'package.json']) {
      assert.ok(existsSync(at(`opt/jobmonitor/${p}`)), `${p} installed`);
    }
    for (const p of ['dist/test', 'node_modules/esbuild', 'node_modules/playwright-core', 'node_modules/@types/node', 'public/src']) {
      assert.ok(!existsSync(at(`opt/jobmonitor/${p}`)), `${p} left out`);
    }

    const unit = readFileSync(unitFile, 'utf8');
    assert.doesNotMatch(unit, /@[A-Z_]+@/, 'every placeholder replaced');
    const node = (/^ExecStart=(\S+) /m.exec(unit)?.[1]) ?? '';
    assert.ok(node.startsWith('/') && executable(node), `ExecStart runs node by absolute path: ${node}`);
    assert.match(unit, /^ExecStart=\S+ --max-semi-space-size=1 --heap-growing-percent=30 --expose-gc \/opt\/jobmonitor\/dist\/src\/main\.js -config \/etc\/jobmonitor\/config\.yaml -addr :8080$/m,
      'the unit names the final paths, not the staging root');
    assert.match(unit, /^ExecStartPre=\S+ \/opt\/jobmonitor\/dist\/src\/main\.js validate -config \/etc\/jobmonitor\/config\.yaml$/m);
    for (const line of ['User=jobmonitor', 'StateDirectory=jobmonitor', 'WorkingDirectory=/var/lib/jobmonitor', 'NoNewPrivileges=yes',
      'CapabilityBoundingSet=', 'ReadWritePaths=/var/lib/jobmonitor', 'MemoryDenyWriteExecute=no']) {
      assert.ok(unit.split('\n').includes(line), `${line} in the unit`);
    }
    assert.ok(!existsSync(sudoDropIn), 'no sudo drop-in for a config without use_sudo');

    assert.equal(statSync(configFile).mode & 0o777, 0o640);
    assert.match(readFileSync(configFile, 'utf8'), /^data_directory: \/var\/lib\/jobmonitor$/m);
    // The installed copy runs on its own: its pruned node_modules are enough to load the daemon.
    const valid = await runCommand(process.execPath, [at('opt/jobmonitor/dist/src/main.js'), 'validate', '-config', configFile], { timeoutMs: 30_000 });
    assert.equal(valid.code, 0, explain(valid));
  });

  test('a second run keeps the config, and use_sudo adds and removes the drop-in', async () => {
    const mine = config({ sudo: true });
    writeFileSync(configFile, mine);
    const r = await run();
    assert.equal(r.code, 0, explain(r));
    assert.equal(readFileSync(configFile, 'utf8'), mine, 'never overwritten');
    const dropIn = readFileSync(sudoDropIn, 'utf8');
    for (const line of ['NoNewPrivileges=no', 'CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_AUDIT_WRITE', 'SystemCallFilter=', 'PrivateDevices=no']) {
      assert.ok(dropIn.split('\n').includes(line), `${line} in the drop-in`);
    }
    assert.match(r.stdout, /^jobmonitor ALL=\(root\) NOPASSWD: \S+\/systemctl \^show /m, 'prints a sudoers rule, installs none');
    assert.ok(!existsSync(at('etc/sudoers.d')));

    writeFileSync(configFile, config());
    assert.equal((await run()).code, 0);
    assert.ok(!existsSync(sudoDropIn));
  });

  test('refuses an invalid config and leaves the installed app and unit as they were', async () => {
    const before = readFileSync(unitFile, 'utf8');
    writeFileSync(configFile, 'targets: []\n');
    const r = await run();
    assert.equal(r.code, 1, explain(r));
    assert.match(r.stderr, /at least one target/);
    assert.equal(readFileSync(unitFile, 'utf8'), before);
    assert.ok(existsSync(at('opt/jobmonitor/dist/src/main.js')), 'the installed app is still there');
    assert.deepEqual(readdirSync(at('opt')), ['jobmonitor'], 'no staging copy left behind');
    writeFileSync(configFile, config());
  });

  test('--uninstall removes the app and the unit, keeps config and data', async () => {
    const r = await run('--uninstall');
    assert.equal(r.code, 0, explain(r));
    assert.ok(!existsSync(at('opt/jobmonitor')));
    assert.ok(!existsSync(unitFile));
    assert.ok(existsSync(configFile));
    assert.ok(existsSync(at('var/lib/jobmonitor')));
  });
});
