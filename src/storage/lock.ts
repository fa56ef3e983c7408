/**
 * One daemon per data directory. Two daemons appending to, repairing and
 * compacting the same segments would damage each other's files, so the
 * second one refuses to start and says which process holds the directory.
 * The lock file holds the owner's pid; a lock whose process is gone (or is
 * no longer a JobMonitor: the pid was reused) is taken over.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCK_FILE = 'jobmonitor.lock';

export type LockResult = { ok: true; release: () => Promise<void> } | { ok: false; error: string };

/** The kernel's start time of `pid` (clock ticks since boot) and whether it is a zombie; undefined without /proc. */
function procStart(pid: number): { start: string; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: fields[19] ?? '', zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
}

/** The lock file's content: our pid and start time, so a reused pid is never mistaken for us. */
function lockContent(): string {
  return `${process.pid} ${procStart(process.pid)?.start ?? ''}\n`;
}

/** True when the lock's owner is still running (same pid AND same start time). */
function heldBy(content: string): boolean {
  const [pidText = '', start = ''] = content.trim().split(/\s+/);
  const pid = Number.parseInt(pidText, 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const proc = procStart(pid);
  if (proc === undefined) return true; // no /proc: trust the pid
  return !proc.zombie && (start === '' || proc.start === start);
}

/**
 * Takes the data directory's lock. A directory that cannot be written is
 * not an error here: opening the history reports it with the reason.
 */
export async function lockDataDirectory(dir: string): Promise<LockResult> {
  const path = join(dir, LOCK_FILE);
  const noLock: LockResult = { ok: true, release: async () => undefined };
  try {
    await mkdir(dir, { recursive: true });
  } catch {
    return noLock;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await open(path, 'wx');
      try {
        await h.writeFile(lockContent());
      } finally {
        await h.close();
      }
      return {
        ok: true,
        release: async () => {
          const owner = await readFile(path, 'utf8').catch(() => '');
          if (Number.parseInt(owner, 10) === process.pid) await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return noLock;
    }
    const content = await readFile(path, 'utf8').catch(() => '');
    if (heldBy(content)) {
      return { ok: false, error: `in use by another JobMonitor (pid ${Number.parseInt(content, 10)}); stop it or give this one another data_directory` };
    }
    // Stale: its owner is gone. Only remove what was judged (another starter may have just replaced it).
    if ((await readFile(path, 'utf8').catch(() => '')) === content) await unlink(path).catch(() => undefined);
  }
  return { ok: false, error: `could not take the lock ${path}` };
}
