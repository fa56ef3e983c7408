/**
 * Bad configuration: each file is refused by `jobmonitor validate` and by a
 * daemon start alike (exit status 2), with one precise line naming the path,
 * line and column. Unit names built to attack a command line never reach a
 * process: systemctl and sudo on PATH record every call, and stay silent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, MAIN, startDaemonProcess } from '../helpers/daemon.js';
import { fakeBin, scratch } from './support.js';

/** A config with a good target first, then `service` as the second target's unit. */
const unit = (service: string) => `targets:\n  - id: ok-web\n    service: ok-web\n  - id: evil\n    name: Evil\n    service: ${JSON.stringify(service)}\n`;
const UNIT_AT = '(line 6, column 14)';
const badUnit = (reason: string) => [`targets[1].service: not a valid systemd unit name: ${reason} ${UNIT_AT}`];
/** One good target, then `rest`. */
const withTarget = (rest: string) => `targets:\n  - {id: ok-web, service: ok-web}\n${rest}`;

const CASES: Array<[string, string, string[]]> = [
  // Unit names built to attack a command line.
  ['a command separator', unit('foo; rm -rf /'), badUnit('contains ";"')],
  ['a command substitution', unit('$(reboot)'), badUnit('contains "$"')],
  ['backticks', unit('`id`'), badUnit('contains "`"')],
  ['a space (two arguments)', unit('foo bar'), badUnit('contains a space')],
  ['a newline', unit('foo\nbar'), badUnit('contains a newline')],
  ['a tab', unit('a\tb'), badUnit('contains a tab')],
  ['a NUL byte', unit('a\u0000b'), badUnit('contains a NUL byte')],
  ['a leading dash (an option)', unit('-H'), badUnit('starts with "-"')],
  ['--help', unit('--help'), badUnit('starts with "-"')],
  ['a glob *', unit('nginx*'), badUnit('contains "*"')],
  ['a glob ?', unit('ng?nx'), badUnit('contains "?"')],
  ['a glob [..]', unit('[ab].service'), badUnit('contains "["')],
  ['256 characters', unit('a'.repeat(256)), badUnit('longer than 255 characters')],
  ['256 characters once ".service" is added', unit('a'.repeat(248)), badUnit('longer than 255 characters')],
  ['non-ASCII', unit('café'), badUnit('contains a non-ASCII character')],
  ['empty', unit(''), ['targets[1].service: must not be empty (line 6, column 14)']],
  ['a template without an instance', unit('foo@.service'), badUnit('template without an instance')],
  ['a relative path', unit('../x'), badUnit('contains "/"')],
  ['an absolute path', unit('/etc/passwd'), badUnit('contains "/"')],
  ['"..": a path of its own', unit('..'), badUnit('is ".."')],
  ['a pipe', unit('foo|bar'), badUnit('contains "|"')],
  ['a redirection', unit('foo>out'), badUnit('contains ">"')],
  ['a background &', unit('foo&'), badUnit('contains "&"')],
  ['a stray backslash', unit('foo\\bar'), badUnit('contains "\\" that is not part of a \\xNN escape')],
  ['two "@"', unit('a@b@c.service'), badUnit('contains more than one "@"')],
  ['nothing before the suffix', unit('.service'), badUnit('nothing before ".service"')],
  ['a list instead of a name', 'targets:\n  - id: a\n    service: [a, b]\n', ['targets[0].service: expected a string, got a list (line 3, column 14)']],
  ['no service', 'targets:\n  - id: a\n    name: A\n', ['targets[0].service: is required (line 2, column 5)']],
  // Everything else a hand-edited file gets wrong.
  ['no id', 'targets:\n  - name: X\n    service: x\n', ['targets[0].id: is required (line 2, column 5)']],
  ['duplicate ids', 'targets:\n  - {id: a, service: a}\n  - {id: a, service: b}\n', ['targets[1].id: duplicate target id "a" (also used by targets[0]) (line 3, column 10)']],
  ['an id with a slash', 'targets:\n  - {id: "a/b", service: a}\n', ['targets[0].id: contains "/"; ids may use only letters, digits, "_", ".", ":" and "-" (line 2, column 10)']],
  ['a peer id that climbs out of the data directory', withTarget('peers:\n  - {id: "../../etc", base_url: "http://127.0.0.1:1"}\n'),
    ['peers[0].id: contains "/"; ids may use only letters, digits, "_", ".", ":" and "-" (line 4, column 10)']],
  ['a node id with a shell character', withTarget('node_id: "x;y"\n'), ['node_id: contains ";"; ids may use only letters, digits, "_", ".", ":" and "-" (line 3, column 10)']],
  ['a negative interval', withTarget('interval_minutes: -1\n'), ['interval_minutes: must be greater than 0, got -1 (line 3, column 19)']],
  ['an interval in words', withTarget('interval_minutes: five\n'), ['interval_minutes: expected a number, got string "five" (line 3, column 19)']],
  ['a negative timeout', 'targets:\n  - {id: a, service: a, timeout_seconds: -5}\n', ['targets[0].timeout_seconds: must be at least 1, got -5 (line 2, column 42)']],
  ['retention of 0 days', withTarget('retention_days: 0\n'), ['retention_days: must be at least 1, got 0 (line 3, column 17)']],
  ['an empty data directory', withTarget('data_directory: ""\n'), ['data_directory: must not be empty (line 3, column 17)']],
  ['an empty api key', withTarget('api_key: ""\n'), ['api_key: must not be empty (line 3, column 10)']],
  ['a peer URL that is not http', withTarget('peers:\n  - {id: p, base_url: "ftp://x"}\n'), ['peers[0].base_url: must start with http:// or https://, got "ftp://x" (line 4, column 23)']],
  ['a peer URL with a query', withTarget('peers:\n  - {id: p, base_url: "http://127.0.0.1:1/?x=1"}\n'),
    ['peers[0].base_url: must not have a query or fragment, got "http://127.0.0.1:1/?x=1" (line 4, column 23)']],
  ['a peer that is this node', withTarget('node_id: me\npeers:\n  - {id: me, base_url: "http://127.0.0.1:1"}\n'), ['peers[0].id: peer id "me" is this node\'s own node_id (line 5, column 10)']],
  ['a DNS probe target with a shell character', withTarget('monitor_dns:\n  enabled: true\n  target: "1.1.1.1; reboot"\n'),
    ['monitor_dns.target: expected host, host:port or [IPv6]:port: "1.1.1.1; reboot" is not a valid host name or IP address (line 5, column 11)']],
  ['a misspelt key', withTarget('interval_minute: 5\n'), ['interval_minute: unknown key (did you mean "interval_minutes"?) (line 3, column 1)']],
  ['no targets at all', '', ['targets: configuration must define at least one target']],
  ['a list at the top', '- a\n- b\n', ['expected a mapping, got a list (line 1, column 1)']],
  ['an unclosed quote', 'targets:\n  - id: "a\n    service: b\n', ['YAML syntax error: Missing closing "quote (line 4, column 1)']],
  ['tabs for indentation', 'targets:\n\t- id: a\n', ['YAML syntax error: Tabs are not allowed as indentation (line 2, column 1)']],
  ['an alias bomb', 'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
    ['invalid YAML: Excessive alias count indicates a resource exhaustion attack']],
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A start that was not refused would listen forever: end it, and the assertion on the code fails.
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    // 'close', not 'exit': 'exit' can come before the last of stderr has been read from the pipe.
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `task` over `items`, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  }));
}

test(`${CASES.length} bad configs: validate and a daemon start both exit 2 with one precise line each, and nothing is spawned`, { timeout: 180_000 }, async (t) => {
  assert.ok(CASES.length >= 30);
  const bin = fakeBin(t, { record: true });
  const dir = scratch(t, 'jm-rel-config-');
  const env = { ...process.env, PATH: `${bin.dir}:${process.env['PATH'] ?? ''}` };
  const failures: string[] = [];
  await eachLimited(CASES.map((c, i) => [i, ...c] as const), 4, async ([i, what, yaml, expected]) => {
    const file = join(dir, `case-${i}.yaml`);
    writeFileSync(file, yaml);
    for (const args of [['validate', '-config', file], ['-config', file, '-addr', '127.0.0.1:0']]) {
      const r = await run(args, env, dir);
      const mode = args[0] === 'validate' ? 'validate' : 'start';
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
      const header = r.stderr.split('\n')[0];
      if (r.code !== 2) failures.push(`${what} (${mode}): exit ${r.code}\n${r.stderr}${r.stdout}`);
      else if (header !== `jobmonitor: invalid configuration ${file}:`) failures.push(`${what} (${mode}): header ${JSON.stringify(header)}`);
      else if (JSON.stringify(lines) !== JSON.stringify(expected)) failures.push(`${what} (${mode}):\n  got      ${JSON.stringify(lines)}\n  expected ${JSON.stringify(expected)}`);
      if (/\n\s+at /.test(r.stderr)) failures.push(`${what} (${mode}): a stack trace`);
    }
  });
  assert.deepEqual(failures, []);
  assert.deepEqual(bin.invocations(), [], 'no systemctl or sudo was run for any of them');
  t.diagnostic(`${CASES.length} configs x (validate, start) refused; systemctl/sudo calls: 0`);
});

test('every hostile unit name at once, beside good ones: all reported in one run, still nothing spawned', { timeout: 60_000 }, async (t) => {
  const bin = fakeBin(t, { record: true });
  const dir = scratch(t, 'jm-rel-config-');
  const hostile = ['foo; reboot', '$(id)', '-x', '--help', 'a b', 'x\ny', '*', '../x', 'foo@.service', 'é', '', 'a'.repeat(256)];
  const yaml = `targets:\n  - {id: ok-a, service: ok-a}\n${hostile.map((s, i) => `  - {id: h${i}, service: ${JSON.stringify(s)}}\n`).join('')}  - {id: ok-b, service: ok-b.service}\n`;
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  const r = await run(['-config', file, '-addr', '127.0.0.1:0'], { ...process.env, PATH: `${bin.dir}:${process.env['PATH'] ?? ''}` }, dir);
  assert.equal(r.code, 2);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('  '));
  assert.deepEqual(lines.map((l) => /targets\[(\d+)\]\.service/.exec(l)?.[1]), hostile.map((_, i) => String(i + 1)), 'one line per hostile name, none for the good ones');
  assert.deepEqual(bin.invocations(), []);
});

test('the recorder does record: a valid config runs systemctl through it (so "nothing spawned" above means something)', { timeout: 60_000 }, async (t) => {
  const bin = fakeBin(t, { record: true });
  const d = await startDaemonProcess({
    dir: scratch(t),
    config: { interval_minutes: 60, data_directory: 'data', targets: [{ id: 'ok-a', service: 'ok-a' }, { id: 'h', service: 'hello\\x2dworld' }] },
    pathPrepend: [bin.dir],
  });
  try {
    await eventually(async () => (await d.get('/api/node/status')).body?.status !== undefined, 20_000, 'a sample');
  } finally {
    await d.stop();
  }
  const calls = bin.invocations();
  assert.ok(calls.length >= 1, 'systemctl was run');
  // The units are passed after "--" as single arguments (printf %q shows any quoting needed: none).
  // A sweep asks list-units first (names list-units would read as globs are left out), then show.
  assert.ok(calls.some((c) => /^systemctl list-units .* -- ok-a\.service$/.test(c)), calls.join('\n'));
  assert.ok(calls.some((c) => /^systemctl show .* -- ok-a\.service hello\\\\x2dworld\.service$/.test(c)), calls.join('\n'));
});
