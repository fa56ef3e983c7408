/**
 * Test helper: a temporary directory holding the fake systemctl (and, when
 * asked, a fake sudo), plus an environment whose PATH finds them first.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/fake-systemctl in the source tree (tsc does not copy it to dist). */
export const FAKE_SYSTEMCTL = fileURLToPath(new URL('../../../test/fixtures/fake-systemctl', import.meta.url));

export interface FakeBin {
  dir: string;
  /** A file the fake appends its own PID and any hang sleep's PID to. */
  pidFile: string;
  /** process.env with PATH = fake dir first (or only, with `onlyFakes`), plus `extra`. */
  env(extra?: Record<string, string>, onlyFakes?: boolean): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function makeFakeBin(opts: { systemctl?: boolean; sudo?: boolean } = {}): Promise<FakeBin> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jm-fake-bin-'));
  if (opts.systemctl ?? true) await symlink(FAKE_SYSTEMCTL, path.join(dir, 'systemctl'));
  if (opts.sudo ?? false) await symlink(FAKE_SYSTEMCTL, path.join(dir, 'sudo'));
  const pidFile = path.join(dir, 'pids');
  return {
    dir,
    pidFile,
    env(extra = {}, onlyFakes = false) {
      const PATH = onlyFakes ? dir : `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
      return { ...process.env, PATH, FAKE_SYSTEMCTL_PIDS: pidFile, ...extra };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** PIDs the fake recorded so far. */
export function recordedPids(pidFile: string): number[] {
  let text = '';
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.trim() !== '').map(Number);
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its new parent) counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Waits until every PID is gone (SIGKILL delivery is asynchronous), giving
 * up after `limitMs`; returns the ones still running.
 */
export async function survivors(pids: readonly number[], limitMs = 3000): Promise<number[]> {
  const until = Date.now() + limitMs;
  for (;;) {
    const alive = pids.filter(isRunning);
    if (alive.length === 0 || Date.now() > until) return alive;
    await new Promise((r) => setTimeout(r, 20));
  }
}
