/**
 * Run a program with a hard deadline, in its own process group.
 *
 * Why a process group: a program may leave children behind that hold our
 * output pipe open (a shell running `sleep` without exec). Waiting for the
 * pipe to close then blocks until the grandchild exits — the original
 * JobMonitor stalled a whole check round for 30 s that way. So at the deadline
 * we kill the whole group and answer at once, without waiting for the pipes.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';

/** The program ran and exited (or was killed by someone else). */
export interface ExitOutcome {
  kind: 'exit';
  /** Null when ended by a signal. */
  code: number | null;
  /** e.g. "SIGTERM"; null on a normal exit. */
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The deadline passed; the whole process group was killed. */
export interface TimeoutOutcome {
  kind: 'timeout';
  durationMs: number;
}

/** The program could not be started (e.g. `code` "ENOENT" when not on PATH). */
export interface SpawnErrorOutcome {
  kind: 'spawn-error';
  code: string;
  message: string;
}

export type RunOutcome = ExitOutcome | TimeoutOutcome | SpawnErrorOutcome;

export interface RunTimedOptions {
  timeoutMs: number;
  /** Base environment; defaults to this thread's `process.env`. The locale and systemd output variables are always overridden. */
  env?: NodeJS.ProcessEnv;
  /** Bytes kept per stream; the rest is read and dropped so the program never blocks on a full pipe. Default 64 KiB. */
  maxOutputBytes?: number;
  /** After the program exits, how long to wait for leftover children to close its pipes before killing them. Default 200 ms. */
  closeGraceMs?: number;
  /** Told the program's process group id once it runs, and again when the group is done with (so an owner can kill groups left running). */
  groups?: { add(pgid: number): unknown; remove(pgid: number): void };
}

const DEFAULT_MAX_OUTPUT = 64 * 1024;
const DEFAULT_CLOSE_GRACE_MS = 200;

/** Output that does not depend on the user's locale, colours or pager, so it parses the same everywhere. */
const PLAIN_OUTPUT_ENV = {
  LANG: 'C',
  LC_ALL: 'C',
  // Timestamps in `systemctl show` are printed in local time with a zone abbreviation; UTC is the one we can parse.
  TZ: 'UTC',
  SYSTEMD_COLORS: '0',
  SYSTEMD_PAGER: '',
  SYSTEMD_LESS: '',
} as const;

/**
 * Runs `file` with `args` (never through a shell), stdin closed.
 * Resolves — never rejects — with the exit, a timeout, or a spawn error.
 * On timeout the program's whole process group gets SIGKILL and the promise
 * resolves immediately. Every listener, timer and pipe is released when the
 * promise settles or soon after (once the kernel reports the exit).
 */
export function runTimed(file: string, args: readonly string[], opts: RunTimedOptions): Promise<RunOutcome> {
  return new Promise<RunOutcome>((resolve) => {
    new TimedRun(file, args, opts, resolve).start();
  });
}

/** One run of runTimed: the child, its output, its deadline, and how it ends. */
class TimedRun {
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly out: OutputBuffer;
  private readonly err: OutputBuffer;
  private readonly started = performance.now();
  private settled = false;
  private exit: { code: number | null; signal: string | null } | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    file: string,
    args: readonly string[],
    private readonly opts: RunTimedOptions,
    private readonly resolve: (outcome: RunOutcome) => void,
  ) {
    const maxBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    this.out = new OutputBuffer(maxBytes);
    this.err = new OutputBuffer(maxBytes);
    this.child = spawn(file, [...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...(opts.env ?? process.env), ...PLAIN_OUTPUT_ENV },
      shell: false,
      windowsHide: true,
    });
  }

  start(): void {
    const { child } = this;
    if (child.pid !== undefined) this.opts.groups?.add(child.pid);
    this.deadline = setTimeout(() => {
      this.killGroup();
      if (this.exit !== undefined) this.settle(this.exitOutcome());
      else this.settle({ kind: 'timeout', durationMs: this.elapsed() });
    }, Math.max(0, this.opts.timeoutMs));
    child.stdout.on('data', (chunk: Buffer) => this.out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.err.push(chunk));
    // 'error' without a pid is a failed spawn; with a pid it is a failed kill, which killGroup already tolerates.
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      this.settle({ kind: 'spawn-error', code: e.code ?? 'UNKNOWN', message: e.message });
    });
    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.on('close', () => {
      if (this.exit !== undefined) this.settle(this.exitOutcome());
    });
  }

  private onExit(code: number | null, signal: string | null): void {
    this.exit = { code, signal };
    if (this.settled) {
      this.child.removeAllListeners('exit');
      this.forget();
      return;
    }
    // Leftover children may still hold the pipes: give them a moment, then end them and answer anyway.
    this.graceTimer = setTimeout(() => {
      this.killGroup();
      this.settle(this.exitOutcome());
    }, this.opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  private killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private forget(): void {
    if (this.child.pid !== undefined) this.opts.groups?.remove(this.child.pid);
  }

  private release(): void {
    const { child } = this;
    clearTimeout(this.deadline);
    clearTimeout(this.graceTimer);
    child.stdout.removeAllListeners('data');
    child.stderr.removeAllListeners('data');
    // Closing our read ends frees the fds even if a stray grandchild still holds the write ends.
    child.stdout.destroy();
    child.stderr.destroy();
    child.removeAllListeners('close');
    child.removeAllListeners('error');
    // Nothing should emit 'error' now, but an unheard one would crash the thread.
    child.on('error', () => undefined);
    if (this.exit !== undefined) {
      child.removeAllListeners('exit');
      this.forget();
    }
    // else: keep the 'exit' listener until the kernel reports the kill, so the child is reaped and its handle closed.
  }

  private settle(outcome: RunOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.release();
    this.resolve(outcome);
  }

  private exitOutcome(): ExitOutcome {
    return {
      kind: 'exit',
      code: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      stdout: this.out.text(),
      stderr: this.err.text(),
      durationMs: this.elapsed(),
    };
  }
}

/** Collects up to `max` bytes; later bytes are counted and dropped. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const room = this.max - this.kept;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
    this.dropped += chunk.length - part.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks, this.kept).toString('utf8');
    return this.dropped > 0 ? `${text}\n[${this.dropped} bytes of output dropped]` : text;
  }
}
