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

/** True when `pid` is a live process that looks like a JobMonitor daemon. */
function heldBy(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // A zombie has an empty command line; a reused pid runs something else.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /main\.js|jobmonitor/.test(cmdline);
  } catch {
    return true; // no /proc: trust the pid
  }
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
        await h.writeFile(`${process.pid}\n`);
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
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (heldBy(owner)) {
      return { ok: false, error: `in use by another JobMonitor (pid ${owner}); stop it or give this one another data_directory` };
    }
    await unlink(path).catch(() => undefined); // stale: its owner is gone
  }
  return { ok: false, error: `could not take the lock ${path}` };
}
