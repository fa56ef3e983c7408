/**
 * Runs the real daemon (dist/src/main.js) as a child process on 127.0.0.1
 * with an ephemeral port, for integration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'main.js');
/** The same command with the test-only options (test/helpers/daemon-entry.ts). */
export const TEST_ENTRY = join(ROOT, 'dist', 'test', 'helpers', 'daemon-entry.js');

/** Test-only daemon options (DaemonTestOptions), given to the test entry as JM_TEST_HOOKS. */
export interface TestHooks {
  /** Floor of peer_refresh_seconds in seconds (the daemon's is 15). */
  minPeerRefreshSeconds?: number;
  /** A file: URL of a worker module used instead of workers/check-worker.js. */
  checkWorkerFile?: string;
}

export interface DaemonProcess {
  url: string;
  port: number;
  child: ChildProcess;
  dir: string;
  configPath: string;
  /** Everything the daemon logged so far (stderr + stdout). */
  logs(): string;
  /** Resolves with the exit code/signal once the process has exited and its stdout/stderr are read to the end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers; text: string }>;
  /** Waits until `pred(logs)` is true (polling), or throws after timeoutMs. */
  waitForLog(pred: RegExp, timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  /** The config object (written as YAML) or raw YAML text. */
  config: Record<string, unknown> | string;
  /** A directory to run in (default: a new temp dir). data_directory is relative to it unless absolute. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** Run through the test entry with these options (otherwise the installed command, dist/src/main.js). */
  hooks?: TestHooks;
  /** Extra leading PATH entries (e.g. the sandbox's systemctl wrapper or a fake). */
  pathPrepend?: string[];
  port?: number;
  args?: string[];
  /** Node flags before the entry (e.g. the ones of package.json `start`, as the benches pass them). */
  nodeArgs?: string[];
}

export function tempDir(prefix = 'jm-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startDaemonProcess(opts: StartOptions): Promise<DaemonProcess> {
  const dir = opts.dir ?? tempDir();
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, typeof opts.config === 'string' ? opts.config : stringify(opts.config));
  const path = [...(opts.pathPrepend ?? []), process.env['PATH'] ?? ''].join(':');
  const entry = opts.hooks === undefined ? MAIN : TEST_ENTRY;
  const hookEnv = opts.hooks === undefined ? {} : { JM_TEST_HOOKS: JSON.stringify(opts.hooks) };
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), entry, '-config', configPath, '-addr', `127.0.0.1:${opts.port ?? 0}`, ...(opts.args ?? [])], {
    cwd: dir,
    env: { ...process.env, ...opts.env, ...hookEnv, PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('close', (code, signal) => r({ code, signal })),
  );

  const waitForLog = async (pred: RegExp, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void exited.then(() => (done = true));
    while (!pred.test(out)) {
      if (done) throw new Error(`daemon exited before logging ${pred}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pred} in daemon log:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await waitForLog(/listening on 127\.0\.0\.1:(\d+)/);
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    child,
    dir,
    configPath,
    logs: () => out,
    exited,
    waitForLog,
    async stop(graceMs = 8_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    async get(p, headers = {}) {
      const res = await fetch(url + p, { headers });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, headers: res.headers, text };
    },
  };
}

/** Polls `fn` until it returns a truthy value, or throws after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
