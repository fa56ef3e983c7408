/**
 * Shared pieces of the reliability suite: a PATH directory with the fake
 * systemctl (optionally recording every invocation), target lists, reading
 * every history segment on disk, tmpfs mounts, and /proc figures of a process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeStatus } from '../../src/history/columnar.js';
import { SampleLog } from '../../src/history/sample-log.js';
import { MAIN, ROOT, tempDir } from '../helpers/daemon.js';

export const FAKE_SYSTEMCTL = join(ROOT, 'test', 'fixtures', 'fake-systemctl');

/** True under CI (a skipped root-only test would hide a regression there). */
export const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

export interface FakeBin {
  dir: string;
  /** Every systemctl/sudo invocation, one line each (only with `record`). */
  record: string;
  invocations(): string[];
}

/**
 * A directory to put first on PATH with `systemctl` and `sudo` playing the
 * fake. With `record`, both go through a wrapper that appends its name and
 * arguments to `record` before running the fake, so a test can show that
 * nothing was spawned.
 */
export function fakeBin(t: Cleanup, opts: { record?: boolean } = {}): FakeBin {
  const dir = scratch(t, 'jm-rel-bin-');
  const record = join(dir, 'invocations.log');
  if (opts.record === true) {
    writeFileSync(record, '');
    const wrapper = join(dir, 'recorder');
    writeFileSync(
      wrapper,
      '#!/bin/bash\n' +
        // One line per call: the name, then each argument shell-quoted (%q), so argument boundaries show.
        `{ printf '%s' "\${0##*/}"; printf ' %q' "$@"; printf '\\n'; } >> ${JSON.stringify(record)}\n` +
        // The fake looks at its own name to play sudo.
        `exec -a "$0" ${JSON.stringify(FAKE_SYSTEMCTL)} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    symlinkSync(wrapper, join(dir, 'systemctl'));
    symlinkSync(wrapper, join(dir, 'sudo'));
  } else {
    symlinkSync(FAKE_SYSTEMCTL, join(dir, 'systemctl'));
    symlinkSync(FAKE_SYSTEMCTL, join(dir, 'sudo'));
  }
  return {
    dir,
    record,
    invocations: () => readFileSync(record, 'utf8').split('\n').filter((l) => l !== ''),
  };
}

/** Where cleanups are registered: a test's context, or a suite's own list. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/** A new temporary directory, removed when the test ends. */
export function scratch(t: Cleanup, prefix = 'jm-rel-'): string {
  const dir = tempDir(prefix);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `n` targets on the fake: mostly ok, every 7th failed, every 11th activating. */
export function targets(n: number, prefix = 'svc'): Array<{ id: string; name: string; service: string; timeout_seconds: number }> {
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 7 === 6 ? 'bad' : i % 11 === 10 ? 'activating' : 'ok';
    const id = `${kind}-${prefix}-${i}`;
    return { id, name: `Unit ${i}`, service: `${id}.service`, timeout_seconds: 10 };
  });
}

export interface SegmentLines {
  /** Timestamps of every status sample found on disk, in file order. */
  timestamps: string[];
  /** Lines that did not parse as JSON, with their file. */
  bad: Array<{ file: string; line: string }>;
  files: string[];
}

/** Reads every status segment (JSON Lines and compacted days) of a data directory. */
export function readStatusSegments(dataDir: string): SegmentLines {
  const out: SegmentLines = { timestamps: [], bad: [], files: [] };
  for (const name of readdirSync(dataDir).sort()) {
    const file = join(dataDir, name);
    if (/^status-\d{4}-\d{2}-\d{2}\.jsonl$/.test(name)) {
      out.files.push(name);
      const text = readFileSync(file, 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          out.timestamps.push((JSON.parse(line) as { timestamp: string }).timestamp);
        } catch {
          out.bad.push({ file: name, line: line.slice(0, 200) });
        }
      }
      if (text !== '' && !text.endsWith('\n')) out.bad.push({ file: name, line: '(no newline at the end)' });
    } else if (/^status-\d{4}-\d{2}-\d{2}\.cols\.gz$/.test(name)) {
      out.files.push(name);
      const decoded = decodeStatus(readFileSync(file));
      if (!decoded.ok) {
        out.bad.push({ file: name, line: decoded.error });
        continue;
      }
      const log = new SampleLog();
      log.appendColumns(decoded.value);
      for (const e of log.entries(-Infinity, Infinity)) out.timestamps.push(e.timestamp);
    }
  }
  return out;
}

/** gunzip, for tests reading compressed responses by hand. */
export const gunzip = (b: Buffer): Buffer => gunzipSync(b);

/**
 * Whether this process can mount (root). Under CI a test that needs it fails
 * instead of skipping, so a runner without root is noticed.
 */
export function gateRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  if (IN_CI) throw new Error('this test needs root (mount) and runs as root in CI');
  t.skip('needs root to mount a tmpfs');
  return false;
}

/** Mounts a tmpfs of `size` at a new directory; the cleanup unmounts and removes it. */
export function mountTmpfs(t: TestContext, size: string): string {
  const dir = tempDir('jm-rel-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  t.after(() => {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      // already unmounted
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Remounts a mount read-only or read-write; a read-only remount fails (EBUSY) while a file is open for writing. */
export function remount(dir: string, mode: 'ro' | 'rw'): boolean {
  try {
    execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the file system holding `dir` with a filler file until a write fails; returns its path. */
export function fillUp(dir: string): string {
  const filler = join(dir, 'filler.bin');
  const chunk = Buffer.alloc(4096, 0x78);
  for (;;) {
    try {
      writeFileSync(filler, chunk, { flag: 'a' });
    } catch {
      break;
    }
  }
  return filler;
}

/** VmRSS and VmHWM (peak) in MiB, and open fds, of a process. */
export function procFigures(pid: number): { rssMiB: number; peakMiB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** mkdir -p, returning the path. */
export function ensureDir(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}

export interface PlainDaemon {
  url: string;
  child: import('node:child_process').ChildProcess;
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  getJson(path: string): Promise<{ status: number; body: any }>;
}

/**
 * Runs the daemon as another user (for permission tests as root), which the
 * shared helper cannot do. `dir` must be readable by that user; the config
 * is written there as JSON (valid YAML).
 */
export async function startDaemonAs(opts: { dir: string; config: Record<string, unknown>; uid: number; gid: number; pathPrepend: string[] }): Promise<PlainDaemon> {
  const configPath = join(opts.dir, 'config.yaml');
  writeFileSync(configPath, JSON.stringify(opts.config));
  chmodSync(configPath, 0o644);
  const child = spawn(process.execPath, [mainForOtherUsers(), '-config', configPath, '-addr', '127.0.0.1:0'], {
    cwd: opts.dir,
    uid: opts.uid,
    gid: opts.gid,
    env: { ...process.env, HOME: opts.dir, PATH: [...opts.pathPrepend, process.env['PATH'] ?? ''].join(':') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
    if (m !== null) {
      const url = `http://127.0.0.1:${m[1]}`;
      return {
        url,
        child,
        logs: () => out,
        exited,
        async stop() {
          if (!done) child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 8_000);
          const r = await exited;
          clearTimeout(t);
          return r;
        },
        async getJson(path: string) {
          const res = await fetch(url + path);
          const text = await res.text();
          return { status: res.status, body: JSON.parse(text) };
        },
      };
    }
    if (done || Date.now() > deadline) throw new Error(`daemon did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True when a user other than the owner can reach and read `path` (every ancestor o+x, the file o+r). */
function readableByOthers(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    if ((statSync(path).mode & 0o004) === 0) return false;
    for (let d = dirname(path); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return false;
      if (d === dirname(d)) return true;
    }
  } catch {
    return false;
  }
}

let sharedMain: string | undefined;

/**
 * The daemon's entry point as an ordinary user can run it. A checkout under a private
 * directory (mktemp -d is 0700, as CI's clone may be) cannot be read by `nobody`, so
 * the built daemon and its runtime packages are copied once to a world-readable
 * temp directory (dev-only packages left out).
 */
export function mainForOtherUsers(): string {
  if (readableByOthers(MAIN)) return MAIN;
  if (sharedMain !== undefined) return sharedMain;
  const app = tempDir('jm-rel-app-');
  chmodSync(app, 0o755);
  const skip = new Set(['playwright-core', 'typescript', 'esbuild', '@esbuild']);
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), {
    recursive: true,
    filter: (src) => !src.slice(join(ROOT, 'node_modules').length).split(sep).some((part) => skip.has(part)),
  });
  execFileSync('chmod', ['-R', 'a+rX', app]);
  sharedMain = join(app, 'dist', 'src', 'main.js');
  process.on('exit', () => rmSync(app, { recursive: true, force: true }));
  return sharedMain;
}
